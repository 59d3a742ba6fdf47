"""MongoDB through mongoengine: one database per service, connected by the app factory or worker."""
import re

import mongoengine
from pymongo import MongoClient
from pymongo.errors import PyMongoError


def _all_documents(cls=mongoengine.Document):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_documents(sub)


# How to reach the SecantusDB stand-in (tests, `make run`): without retryable writes. The stand-in keeps a record
# of every retryable write for 30 minutes and scans (past 10,000, sorts) them all on each write, so writes slow
# down as they accumulate; on a real MongoDB, pymongo's default (retryWrites=true) stays.
STAND_IN_OPTIONS = "retryWrites=false"


def stand_in_url(host: str, port: int, database: str = "") -> str:
    """The MongoDB URL of a SecantusDB stand-in listening on host:port."""
    return f"mongodb://{host}:{port}/{database}?{STAND_IN_OPTIONS}"


def connect_db(config) -> None:
    """Connect this process's default alias to the service's own database."""
    mongoengine.disconnect()
    # mongoengine forgets cached collections only for the classes in its by-name registry; two services
    # may both have a `Grid`, so forget them all, or a class keeps a closed client.
    for doc_cls in _all_documents():
        if not doc_cls._meta.get("abstract") and doc_cls._meta.get("db_alias", "default") == "default":
            doc_cls._collection = None
    mongoengine.connect(
        db=config.MONGO_DB,
        host=config.MONGO_URL,
        uuidRepresentation="standard",
        tz_aware=True,
        serverSelectionTimeoutMS=3000,
        connectTimeoutMS=3000,
        socketTimeoutMS=int(config.MONGO_TIMEOUT_S * 1000),
    )


def ensure_indexes(package: str) -> None:
    """Create the indexes of every document defined under `package` (and the shared inbox) now.

    mongoengine otherwise creates them on a document's first use in a process, while other threads may
    already write to the same new collection; the SecantusDB stand-in stalls on exactly that. With the
    database away, the app still starts (503s, not ready) and mongoengine creates them on first use.
    """
    import shared.messaging.inbox  # noqa: F401 (registers ProcessedEvent)

    for doc_cls in _all_documents():
        meta = doc_cls._meta
        if meta.get("abstract") or meta.get("db_alias", "default") != "default":
            continue
        if doc_cls.__module__.startswith((package, "shared.")):
            try:
                doc_cls.ensure_indexes()
            except PyMongoError:
                doc_cls._collection = None  # cached before the failure: forget it so first use tries again
                return


def ping_db() -> bool:
    """True when the database answers."""
    try:
        mongoengine.get_db().client.admin.command("ping")
        return True
    except (PyMongoError, mongoengine.connection.ConnectionFailure):
        return False


def ping(url: str) -> bool:
    """True when a MongoDB server answers at `url` (used before anything is connected)."""
    try:
        with MongoClient(url, serverSelectionTimeoutMS=500) as client:
            client.admin.command("ping")
        return True
    except PyMongoError:
        return False


def text_match(term: str, *, prefix: bool = False) -> dict:
    """A `$regex` condition for a search term, sent as a string.

    Compiled patterns return nothing on indexed fields in the MongoDB stand-ins used in tests,
    and a user's term is escaped so it can never act as a pattern.
    """
    escaped = re.escape(term.strip())
    return {"$regex": ("^" if prefix else "") + escaped, "$options": "i"}
