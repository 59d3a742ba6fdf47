"""Backups and restores of every service's database with pymongo alone, in mongodump's folder layout.

    python -m shared.backup dump    [--url URL] [--out FOLDER] [--gzip] [--db NAME ...]
    python -m shared.backup verify  FOLDER
    python -m shared.backup restore FOLDER [--url URL] [--drop | --force] [--db NAME ...]

A dump is FOLDER/<database>/<collection>.bson (the documents exactly as the server sent them, one BSON
document after another) and <collection>.metadata.json (indexes and collection options, canonical
extended JSON), gzipped with --gzip: what `mongodump --out` writes, so `mongorestore --dir FOLDER` reads
it too. FOLDER/manifest.json lists every database and collection with its count and the size and sha256
of each file. A restore checks every file against the manifest before it writes anything, and refuses
databases that already hold documents unless told --drop (replace the dumped collections) or --force
(add to them; documents whose _id exists are left as they are).

The URL defaults to MONGO_URL, else the embedded store of `make run` (SecantusDB on 127.0.0.1:27117).
"""
import argparse
import contextlib
import datetime
import gzip
import hashlib
import json
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import bson
from bson import json_util
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import MongoClient
from pymongo.errors import BulkWriteError, OperationFailure, PyMongoError

from shared.db import stand_in_url

# The databases a district keeps: each service's and the gateway's, named as shared/config.py and
# gateway/config.py name them (<SERVICE>_MONGO_DB, default grid_<service>).
SERVICES = ("households", "volunteers", "drills", "mediation", "gateway")
SYSTEM_DATABASES = {"admin", "local", "config"}
# What MongoDB allows in a database name, and nothing that could leave the dump folder.
DATABASE_NAME = re.compile(r"[A-Za-z0-9_-]{1,63}")
MANIFEST = "manifest.json"
FORMAT = "grid-backup/1"
RAW = CodecOptions(document_class=RawBSONDocument)
INSERT_BATCH_DOCS = 1000
INSERT_BATCH_BYTES = 8 * 1024 * 1024
CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    """A dump or restore cannot go ahead; the message says why."""


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name) or default


def service_databases() -> list[str]:
    """The database name of every service and of the gateway, from the environment."""
    return [_env(f"{service.upper()}_MONGO_DB", f"grid_{service}") for service in SERVICES]


def default_url() -> str:
    """MONGO_URL when set, else the embedded store `make run` starts."""
    return _env("MONGO_URL") or stand_in_url("127.0.0.1", int(_env("EMBEDDED_MONGO_PORT", "27117")))


def without_credentials(url: str) -> str:
    """The URL with any user and password removed (it goes into the manifest and the output)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=host))


def safe_error(exc: Exception) -> str:
    """An error's message without the key values a duplicate-key error quotes (they may be ID numbers)."""
    if isinstance(exc, BulkWriteError):
        codes = sorted({e.get("code") for e in exc.details.get("writeErrors", [])})
        return f"{len(exc.details.get('writeErrors', []))} documents refused (codes {codes})"
    if isinstance(exc, OperationFailure) and exc.code == 11000:
        return "duplicate key (E11000); the values are not shown"
    return str(exc)


def _connect(url: str) -> MongoClient:
    client = MongoClient(url, serverSelectionTimeoutMS=3000, uuidRepresentation="standard")
    try:
        client.admin.command("ping")
    except PyMongoError as exc:
        client.close()
        hint = "" if _env("MONGO_URL") else " (start `make run` first, or set MONGO_URL)"
        raise BackupError(f"no MongoDB answers at {without_credentials(url)}{hint} ({type(exc).__name__})") from None
    return client


def _file_name(collection: str) -> str:
    # mongodump's escaping: a collection name may hold "/" (or "%"), which a file name cannot.
    return quote(collection, safe="")


def _write_file(path: Path, chunks, compress: bool) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # owner only, never over a file
    with open(fd, "wb") as raw, (gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if compress
                                 else contextlib.nullcontext(raw)) as out:
        for chunk in chunks:
            out.write(chunk)


def _file_entry(folder: Path, path: Path) -> dict:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return {"file": path.relative_to(folder).as_posix(), "bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _metadata(collection, info: dict) -> bytes:
    indexes = []
    for spec in collection.list_indexes():
        spec = spec.to_dict()
        spec.pop("ns", None)
        indexes.append(spec)
    doc = {"indexes": indexes, "collectionName": collection.name, "type": "collection",
           "options": info.get("options", {})}
    return json_util.dumps(doc, json_options=json_util.CANONICAL_JSON_OPTIONS).encode()


def _dump_collection(db, info: dict, folder: Path, compress: bool) -> dict:
    collection = db.get_collection(info["name"], codec_options=RAW)
    suffix = ".gz" if compress else ""
    base = folder / db.name / _file_name(info["name"])
    bson_path = base.with_name(base.name + ".bson" + suffix)
    meta_path = base.with_name(base.name + ".metadata.json" + suffix)
    count = 0

    def documents():
        nonlocal count
        for doc in collection.find({}, batch_size=INSERT_BATCH_DOCS):
            count += 1
            yield doc.raw

    _write_file(bson_path, documents(), compress)
    _write_file(meta_path, [_metadata(collection, info)], compress)
    return {"count": count, "bson": _file_entry(folder, bson_path), "metadata": _file_entry(folder, meta_path)}


def dump(*, url: str, out: Path, databases: list[str], compress: bool = False) -> dict:
    """Dump `databases` at `url` into the new folder `out`; return the manifest written there."""
    databases = list(dict.fromkeys(databases))
    for name in databases:
        _check_database_name(name)
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} already holds files: a dump goes into a new folder")
    started = time.monotonic()
    created_at = datetime.datetime.now(datetime.UTC)
    client = _connect(url)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    out.chmod(0o700)  # dumps hold personal data unmasked: readable by their owner only
    manifest = {"format": FORMAT, "layout": "mongodump", "created_at": created_at.isoformat(),
                "source": without_credentials(url), "gzip": compress, "databases": {}}
    try:
        for name in databases:
            db = client.get_database(name)
            (out / name).mkdir(mode=0o700)
            infos = sorted(db.list_collections(filter={"type": "collection"}), key=lambda i: i["name"])
            manifest["databases"][name] = {
                info["name"]: _dump_collection(db, info, out, compress)
                for info in infos if not info["name"].startswith("system.")}
    finally:
        client.close()
    manifest["seconds"] = round(time.monotonic() - started, 3)
    manifest["totals"] = _totals(manifest)
    _write_file(out / MANIFEST, [json.dumps(manifest, indent=2, ensure_ascii=False).encode()], False)
    return manifest


def _totals(manifest: dict) -> dict:
    collections = [c for db in manifest["databases"].values() for c in db.values()]
    return {"databases": len(manifest["databases"]), "collections": len(collections),
            "documents": sum(c["count"] for c in collections),
            "bytes": sum(c["bson"]["bytes"] + c["metadata"]["bytes"] for c in collections)}


def _check_database_name(name: str) -> None:
    if not DATABASE_NAME.fullmatch(name) or name in SYSTEM_DATABASES:
        raise BackupError(f"database {name!r}: not a service database name (letters, digits, _ and - only; "
                          f"never {', '.join(sorted(SYSTEM_DATABASES))})")


def _inside(folder: Path, relative: str) -> Path:
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise BackupError(f"manifest names {relative!r}, outside the dump folder")
    return path


def _load_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{folder}: no {MANIFEST}, so not a complete dump made by `python -m shared.backup` "
                          "(the manifest is written last; restore mongodump's own dumps with mongorestore)") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{folder / MANIFEST} is damaged: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{folder / MANIFEST}: not a {FORMAT} manifest")
    return manifest


def _file_problems(folder: Path, manifest: dict) -> list[str]:
    problems = []
    for db_name, collections in manifest["databases"].items():
        _check_database_name(db_name)
        for name, entry in collections.items():
            if name.startswith("system."):
                raise BackupError(f"{db_name}.{name}: a system collection is never restored")
            for kind in ("bson", "metadata"):
                expected = entry[kind]
                path = _inside(folder, expected["file"])
                if not path.is_file():
                    problems.append(f"{expected['file']}: missing")
                    continue
                found = _file_entry(folder, path)
                if found["bytes"] != expected["bytes"]:
                    problems.append(f"{expected['file']}: {found['bytes']} bytes, the manifest says "
                                    f"{expected['bytes']} (truncated or grown)")
                elif found["sha256"] != expected["sha256"]:
                    problems.append(f"{expected['file']}: sha256 does not match the manifest (damaged or altered)")
    return problems


def verify(*, folder: Path) -> dict:
    """Check every file of the dump in `folder` against its manifest; return the manifest."""
    folder = Path(folder)
    manifest = _load_manifest(folder)
    try:
        problems = _file_problems(folder, manifest)
    except (KeyError, TypeError, AttributeError) as exc:
        raise BackupError(f"{folder / MANIFEST} is damaged: no {exc}" if isinstance(exc, KeyError)
                          else f"{folder / MANIFEST} is damaged: {exc}") from None
    if problems:
        raise BackupError("the dump does not match its manifest, so nothing is restored from it:\n  "
                          + "\n  ".join(problems))
    return manifest


def _open_read(path: Path, compressed: bool):
    return gzip.open(path, "rb") if compressed else open(path, "rb")


def _read_metadata(path: Path, compressed: bool) -> dict:
    with _open_read(path, compressed) as f:
        return json_util.loads(f.read().decode("utf-8"), json_options=json_util.CANONICAL_JSON_OPTIONS)


def _batches(path: Path, compressed: bool):
    batch, size = [], 0
    with _open_read(path, compressed) as f:
        for doc in bson.decode_file_iter(f, codec_options=RAW):
            batch.append(doc)
            size += len(doc.raw)
            if len(batch) >= INSERT_BATCH_DOCS or size >= INSERT_BATCH_BYTES:
                yield batch
                batch, size = [], 0
    if batch:
        yield batch


def _not_empty(client: MongoClient, databases: list[str]) -> list[str]:
    busy = []
    for name in databases:
        db = client.get_database(name)
        held = [c for c in db.list_collection_names() if not c.startswith("system.")
                and db.get_collection(c).find_one({}, projection={"_id": 1}) is not None]
        if held:
            busy.append(f"{name} ({', '.join(sorted(held))})")
    return busy


def _insert(collection, batch: list, *, force: bool) -> tuple[int, int]:
    """Insert a batch; return (inserted, skipped because the _id exists, only with `force`)."""
    try:
        collection.insert_many(batch, ordered=not force)  # inserted_ids stays empty for raw documents
        return len(batch), 0
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if not force or any(e.get("code") != 11000 for e in errors):
            raise
        return exc.details.get("nInserted", 0), len(errors)


def _restore_collection(db, name: str, entry: dict, folder: Path, compressed: bool, *, drop: bool,
                        force: bool) -> dict:
    meta = _read_metadata(_inside(folder, entry["metadata"]["file"]), compressed)
    if drop:
        db.drop_collection(name)
    if name not in db.list_collection_names(filter={"name": name}):
        db.create_collection(name, **meta.get("options", {}))
    collection = db.get_collection(name)
    inserted = skipped = 0
    for batch in _batches(_inside(folder, entry["bson"]["file"]), compressed):
        done, dup = _insert(collection, batch, force=force)
        inserted, skipped = inserted + done, skipped + dup
    indexes = [spec for spec in meta.get("indexes", []) if spec.get("name") != "_id_"]
    if indexes:
        db.command({"createIndexes": name, "indexes": indexes})
    if inserted + skipped != entry["count"]:
        raise BackupError(f"{db.name}.{name}: read {inserted + skipped} documents, the manifest says {entry['count']}")
    return {"inserted": inserted, "skipped": skipped, "indexes": len(indexes)}


def restore(*, url: str, folder: Path, databases: list[str] | None = None, drop: bool = False,
            force: bool = False) -> dict:
    """Restore the dump in `folder` into `url`; return what was written per database and collection."""
    if drop and force:
        raise BackupError("--drop replaces the dumped collections, --force adds to them: choose one")
    folder = Path(folder)
    manifest = verify(folder=folder)
    chosen = list(manifest["databases"]) if databases is None else databases
    unknown = sorted(set(chosen) - set(manifest["databases"]))
    if unknown:
        raise BackupError(f"not in this dump: {', '.join(unknown)} (it holds {', '.join(manifest['databases'])})")
    client = _connect(url)
    try:
        busy = [] if drop or force else _not_empty(client, chosen)
        if busy:
            raise BackupError("these databases already hold documents, nothing was restored: " + "; ".join(busy)
                              + ". Restore into an empty server, or add --drop (replace the dumped collections)"
                              " or --force (add to them, keeping documents whose _id exists)")
        started = time.monotonic()
        written = {}
        for db_name in chosen:
            db = client.get_database(db_name)
            written[db_name] = {
                name: _restore_collection(db, name, entry, folder, manifest["gzip"], drop=drop, force=force)
                for name, entry in manifest["databases"][db_name].items()}
    finally:
        client.close()
    return {"databases": written, "seconds": round(time.monotonic() - started, 3)}


def _timestamp() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m shared.backup", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("dump", "restore"):
        sub = commands.add_parser(name)
        sub.add_argument("--url", default=None, help="MongoDB URL (default: MONGO_URL, else make run's store)")
        sub.add_argument("--db", action="append", dest="databases", metavar="NAME",
                         help="only this database (repeat for more); default: every service's")
    dump_cmd, restore_cmd = commands.choices["dump"], commands.choices["restore"]
    dump_cmd.add_argument("--out", type=Path, default=None, help="new folder (default backups/<UTC timestamp>)")
    dump_cmd.add_argument("--gzip", action="store_true", help="gzip each file (mongorestore --gzip reads it)")
    restore_cmd.add_argument("folder", type=Path)
    restore_cmd.add_argument("--drop", action="store_true", help="drop each dumped collection before restoring it")
    restore_cmd.add_argument("--force", action="store_true", help="restore into databases that hold documents")
    commands.add_parser("verify").add_argument("folder", type=Path)
    return parser


def _megabytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "verify":
            manifest = verify(folder=args.folder)
            totals = manifest["totals"]
            print(f"{args.folder}: {totals['documents']} documents in {totals['collections']} collections, "
                  "every file matches the manifest")
        elif args.command == "dump":
            out = args.out or Path("backups") / _timestamp()
            manifest = dump(url=args.url or default_url(), out=out, databases=args.databases or service_databases(),
                            compress=args.gzip)
            for db_name, collections in manifest["databases"].items():
                print(f"  {db_name}: {sum(c['count'] for c in collections.values())} documents, "
                      f"{len(collections)} collections")
            totals = manifest["totals"]
            print(f"dumped {totals['documents']} documents ({_megabytes(totals['bytes'])}) from "
                  f"{manifest['source']} to {out} in {manifest['seconds']} s")
        else:
            result = restore(url=args.url or default_url(), folder=args.folder, databases=args.databases,
                             drop=args.drop, force=args.force)
            inserted = skipped = 0
            for db_name, collections in result["databases"].items():
                db_inserted = sum(c["inserted"] for c in collections.values())
                db_skipped = sum(c["skipped"] for c in collections.values())
                inserted, skipped = inserted + db_inserted, skipped + db_skipped
                print(f"  {db_name}: {db_inserted} documents" + (f", {db_skipped} kept as they were" if db_skipped
                                                                 else ""))
            print(f"restored {inserted} documents from {args.folder} in {result['seconds']} s"
                  + (f" ({skipped} already there, kept)" if skipped else ""))
    except BackupError as exc:
        print(f"{args.command}: {exc}", file=sys.stderr)
        return 2
    except PyMongoError as exc:
        print(f"{args.command} failed: {safe_error(exc)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
