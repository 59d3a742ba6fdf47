"""Backups (shared.backup) on the test's MongoDB: dump, wipe, restore gives back every document and index,
and a damaged dump or a database that already holds documents is refused before anything is written."""
import datetime
import gzip
import json
import os
import stat
import uuid
from decimal import Decimal

import pytest
from bson import Binary, Decimal128, Int64, ObjectId, Regex, Timestamp, decode_all
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import ASCENDING, DESCENDING, MongoClient

from shared import backup
from tests.support.mongo import free_port

RAW = CodecOptions(document_class=RawBSONDocument)
CST = datetime.timezone(datetime.timedelta(hours=8))
# Household-like documents in the households database; BACKUP_TEST_DOCS=20000 for a district-sized run.
HOUSEHOLDS = int(os.environ.get("BACKUP_TEST_DOCS", "300"))


@pytest.fixture
def client(mongo_url):
    client = MongoClient(mongo_url, tz_aware=True, uuidRepresentation="standard")
    yield client
    client.close()


@pytest.fixture
def databases(client, run_id):
    """Three service-like databases filled with varied BSON; dropped afterwards."""
    names = {service: f"test_{run_id}_{service}" for service in ("households", "drills", "gateway")}
    households = client[names["households"]]
    households.households.insert_many([household(i) for i in range(HOUSEHOLDS)])
    households.households.create_index([("grid_id", ASCENDING), ("door", ASCENDING)], unique=True)
    households.households.create_index([("updated_at", DESCENDING)])
    households.residents.insert_one({"_id": "r1", "name": "王小明", "id_number": "110101199003071234",
                                     "tags": ["独居老人", "低保"], "photo": Binary(b"\x89PNG\x00\xff" * 50)})
    drills = client[names["drills"]]
    drills.drills.insert_many([
        {"_id": ObjectId(), "name": "2026年度综合应急演练（演练）", "budget": Decimal128(Decimal("12345.67")),
         "started_at": datetime.datetime(2026, 10, 9, 9, 30, tzinfo=CST), "ticks": [[1, [2, [3]]], {"a": []}],
         "token": uuid.UUID("12345678-1234-5678-1234-567812345678"), "seq": Int64(2**40), "ratio": 0.25,
         "pattern": Regex("^C1-", "i"), "stamp": Timestamp(1_790_000_000, 7), "none": None, "ok": True},
        {"_id": 42, "name": "empty", "ticks": []},
    ])
    drills.create_collection("log", capped=True, size=1 << 20)
    drills.log.insert_one({"at": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), "msg": "点名开始"})
    gateway = client[names["gateway"]]
    gateway.sessions.insert_one({"_id": "s1", "user": "w-a", "expires_at": datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)})
    gateway.sessions.create_index("expires_at", expireAfterSeconds=0)
    gateway.users.insert_one({"username": "wang", "phone": "13800138000"})
    gateway.users.create_index("username", unique=True, name="one_username")
    yield names
    for name in names.values():
        client.drop_database(name)


def household(i: int) -> dict:
    return {"_id": ObjectId(), "grid_id": f"C{i % 7}-G{i % 13}", "door": f"{i // 13 + 1}号楼{i % 13 + 1}室",
            "head": {"name": f"住户{i}", "id_number": f"1101011990{i:08d}"[-18:], "phone": f"138{i:08d}"},
            "members": [{"name": f"成员{i}-{j}", "born": datetime.datetime(1950 + j, 1, 1, tzinfo=datetime.UTC)}
                        for j in range(i % 4)],
            "care": {"tags": ["elderly_alone"] if i % 5 == 0 else [], "disability": i % 11 == 0},
            "area_m2": Decimal128(f"{60 + i % 90}.5"), "updated_at": datetime.datetime.now(datetime.UTC),
            "version": i}


def snapshot(client: MongoClient, names) -> dict:
    """Every document (raw bytes, by _id) and every index of the given databases."""
    found = {}
    for name in names:
        db = client.get_database(name, codec_options=RAW)
        for coll in sorted(db.list_collection_names()):
            docs = [doc.raw for doc in db[coll].find().sort("_id", ASCENDING)]
            indexes = sorted((dict(spec.to_dict(), ns=None) for spec in db[coll].list_indexes()), key=lambda s: s["name"])
            options = db[coll].options()
            found[(name, coll)] = (docs, [json.dumps(s, sort_keys=True, default=str) for s in indexes], options)
    return found


def wipe(client, names):
    for name in names:
        client.drop_database(name)
    assert not set(names) & set(client.list_database_names())


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_dump_wipe_restore_gives_back_every_document_and_index(client, mongo_url, databases, tmp_path, compress):
    names = list(databases.values())
    before = snapshot(client, names)
    assert sum(len(docs) for docs, _, _ in before.values()) == HOUSEHOLDS + 6

    manifest = backup.dump(url=mongo_url, out=tmp_path / "dump", databases=names + [names[0]], compress=compress)
    assert manifest["totals"]["documents"] == HOUSEHOLDS + 6
    assert manifest["databases"][databases["households"]]["households"]["count"] == HOUSEHOLDS
    wipe(client, names)

    result = backup.restore(url=mongo_url, folder=tmp_path / "dump")
    assert result["databases"][databases["drills"]]["drills"] == {"inserted": 2, "skipped": 0, "indexes": 0}
    assert snapshot(client, names) == before
    gateway = client[databases["gateway"]]
    assert gateway.sessions.index_information()["expires_at_1"]["expireAfterSeconds"] == 0
    assert gateway.users.index_information()["one_username"]["unique"] is True
    assert client[databases["drills"]].log.options()["capped"] is True
    drill = client[databases["drills"]].drills.find_one({"name": {"$regex": "演练"}})
    assert drill["started_at"] == datetime.datetime(2026, 10, 9, 1, 30, tzinfo=datetime.UTC)
    assert drill["budget"] == Decimal128(Decimal("12345.67")) and drill["ticks"] == [[1, [2, [3]]], {"a": []}]


def test_the_dump_is_laid_out_as_mongodump_writes_it(client, mongo_url, databases, tmp_path):
    backup.dump(url=mongo_url, out=tmp_path / "dump", databases=[databases["gateway"]], compress=True)
    folder = tmp_path / "dump" / databases["gateway"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "sessions.bson.gz", "sessions.metadata.json.gz", "users.bson.gz", "users.metadata.json.gz"]
    meta = json.loads(gzip.decompress((folder / "users.metadata.json.gz").read_bytes()))
    assert meta["collectionName"] == "users" and meta["type"] == "collection"
    unique = [i for i in meta["indexes"] if i["name"] == "one_username"]
    assert unique and unique[0]["unique"] is True and unique[0]["key"] == {"username": {"$numberInt": "1"}}
    (user,) = decode_all(gzip.decompress((folder / "users.bson.gz").read_bytes()))
    assert user["phone"] == "13800138000"


def test_dump_files_are_for_their_owner_only_and_the_manifest_names_no_password(mongo_url, databases, tmp_path):
    manifest = backup.dump(url=mongo_url, out=tmp_path / "dump", databases=[databases["gateway"]])
    assert stat.S_IMODE((tmp_path / "dump").stat().st_mode) == 0o700
    for path in (tmp_path / "dump").rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert "@" not in manifest["source"]
    assert backup.without_credentials("mongodb://grid:s3cret@db-0:27017,db-1:27017/?replicaSet=rs") == \
        "mongodb://db-0:27017,db-1:27017/?replicaSet=rs"


@pytest.fixture
def dumped(client, mongo_url, databases, tmp_path):
    """A dump of the databases, which are then wiped: (folder, names)."""
    backup.dump(url=mongo_url, out=tmp_path / "dump", databases=list(databases.values()))
    wipe(client, databases.values())
    return tmp_path / "dump", databases


def assert_refused_and_nothing_written(client, mongo_url, folder, names, reason):
    with pytest.raises(backup.BackupError, match=reason):
        backup.restore(url=mongo_url, folder=folder)
    assert not set(names.values()) & set(client.list_database_names()), "a refused restore writes nothing"


def test_a_truncated_dump_is_refused(client, mongo_url, dumped):
    folder, names = dumped
    path = folder / names["households"] / "households.bson"
    path.write_bytes(path.read_bytes()[:-100])
    assert_refused_and_nothing_written(client, mongo_url, folder, names, "households.bson: .* bytes, the manifest says")


def test_a_corrupted_dump_of_the_same_size_is_refused(client, mongo_url, dumped):
    folder, names = dumped
    path = folder / names["gateway"] / "users.bson"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    assert_refused_and_nothing_written(client, mongo_url, folder, names, "users.bson: sha256 does not match")
    assert backup.main(["verify", str(folder)]) == 2


def test_a_missing_file_or_a_damaged_manifest_is_refused(client, mongo_url, dumped):
    folder, names = dumped
    (folder / names["drills"] / "log.metadata.json").unlink()
    assert_refused_and_nothing_written(client, mongo_url, folder, names, "log.metadata.json: missing")
    manifest = folder / backup.MANIFEST
    manifest.write_text(manifest.read_text()[:200])
    assert_refused_and_nothing_written(client, mongo_url, folder, names, "manifest.json is damaged")
    manifest.unlink()
    assert_refused_and_nothing_written(client, mongo_url, folder, names, "no manifest.json")


def test_a_manifest_naming_files_outside_the_dump_or_system_names_is_refused(client, mongo_url, dumped, tmp_path):
    folder, names = dumped
    path = folder / backup.MANIFEST
    manifest = json.loads(path.read_text())
    original = json.loads(path.read_text())
    entry = manifest["databases"][names["gateway"]]["users"]
    entry["bson"]["file"] = "../../../etc/passwd"
    path.write_text(json.dumps(manifest))
    assert_refused_and_nothing_written(client, mongo_url, folder, names, "outside the dump folder")
    views = json.loads(json.dumps(original))
    views["databases"][names["gateway"]]["system.views"] = views["databases"][names["gateway"]].pop("users")
    path.write_text(json.dumps(views))
    assert_refused_and_nothing_written(client, mongo_url, folder, names, "a system collection is never restored")
    path.write_text(json.dumps({**original, "databases": {names["gateway"]: {"users": {"count": 1}}}}))
    assert_refused_and_nothing_written(client, mongo_url, folder, names, "manifest.json is damaged: no 'bson'")
    original["databases"]["admin"] = original["databases"].pop(names["gateway"])
    path.write_text(json.dumps(original))
    with pytest.raises(backup.BackupError, match="not a service database name"):
        backup.restore(url=mongo_url, folder=folder)


def test_restore_refuses_databases_holding_documents_unless_told_drop_or_force(client, mongo_url, dumped):
    folder, names = dumped
    users = client[names["gateway"]].users
    users.insert_one({"username": "li", "phone": "13900000000"})
    with pytest.raises(backup.BackupError, match=f"already hold documents.*{names['gateway']} \\(users\\)"):
        backup.restore(url=mongo_url, folder=folder)
    assert users.count_documents({}) == 1 and names["households"] not in client.list_database_names()

    result = backup.restore(url=mongo_url, folder=folder, force=True)  # adds; what is there stays
    assert result["databases"][names["gateway"]]["users"] == {"inserted": 1, "skipped": 0, "indexes": 1}
    assert sorted(u["username"] for u in users.find()) == ["li", "wang"]
    again = backup.restore(url=mongo_url, folder=folder, force=True)  # every _id exists: all kept
    assert again["databases"][names["households"]]["households"] == {"inserted": 0, "skipped": HOUSEHOLDS,
                                                                       "indexes": 2}
    assert client[names["households"]].households.count_documents({}) == HOUSEHOLDS

    backup.restore(url=mongo_url, folder=folder, drop=True)  # replaces the dumped collections
    assert [u["username"] for u in users.find()] == ["wang"]
    assert client[names["households"]].households.count_documents({}) == HOUSEHOLDS


def test_restore_of_one_database_only(client, mongo_url, dumped):
    folder, names = dumped
    backup.restore(url=mongo_url, folder=folder, databases=[names["gateway"]])
    assert set(client.list_database_names()) & set(names.values()) == {names["gateway"]}
    with pytest.raises(backup.BackupError, match="not in this dump: grid_nothing"):
        backup.restore(url=mongo_url, folder=folder, databases=["grid_nothing"])


def test_the_command_uses_the_service_databases_and_refuses_to_restore_over_them(
        client, mongo_url, databases, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MONGO_URL", mongo_url)
    for service in backup.SERVICES:
        monkeypatch.setenv(f"{service.upper()}_MONGO_DB", databases.get(service, f"{databases['gateway']}_{service}x"))
    monkeypatch.chdir(tmp_path)
    assert backup.main(["dump"]) == 0
    (folder,) = (tmp_path / "backups").iterdir()
    assert set(json.loads((folder / "manifest.json").read_text())["databases"]) == set(backup.service_databases())
    out = capsys.readouterr().out
    assert f"dumped {HOUSEHOLDS + 6} documents" in out and "13800138000" not in out

    assert backup.main(["restore", str(folder)]) == 2
    assert "already hold documents" in capsys.readouterr().err
    wipe(client, databases.values())
    assert backup.main(["restore", str(folder)]) == 0
    assert f"restored {HOUSEHOLDS + 6} documents" in capsys.readouterr().out
    assert client[databases["households"]].households.count_documents({}) == HOUSEHOLDS


def test_the_command_says_when_the_embedded_store_is_not_running(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("MONGO_URL", raising=False)
    monkeypatch.setenv("EMBEDDED_MONGO_PORT", str(free_port()))
    assert backup.main(["dump", "--out", str(tmp_path / "d")]) == 2
    assert "start `make run` first, or set MONGO_URL" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()
