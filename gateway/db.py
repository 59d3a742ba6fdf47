"""The gateway's own MongoDB database, on its own mongoengine alias.

The gateway may share a process with services (the embedded run, end-to-end tests); those use
mongoengine's default alias, so the gateway's documents live on ALIAS and never meet theirs.
"""
import mongoengine
from pymongo.errors import PyMongoError

ALIAS = "gateway"


def connect(config) -> None:
    """Connect the gateway alias to the gateway's database (again, if it was connected)."""
    mongoengine.disconnect(alias=ALIAS)
    mongoengine.connect(
        db=config.MONGO_DB,
        host=config.MONGO_URL,
        alias=ALIAS,
        uuidRepresentation="standard",
        tz_aware=True,
        serverSelectionTimeoutMS=3000,
        connectTimeoutMS=3000,
        socketTimeoutMS=10000,
    )


def ping() -> bool:
    """True when the gateway's database answers."""
    try:
        mongoengine.get_db(ALIAS).client.admin.command("ping")
        return True
    except (PyMongoError, mongoengine.connection.ConnectionFailure):
        return False
