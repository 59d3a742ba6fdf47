"""The volunteers service's app factory."""
from pymongo.errors import PyMongoError

from services.volunteers import metrics, service, views
from services.volunteers.config import SERVICE, SETTINGS
from shared.config import Config
from shared.web.factory import create_service_app


def create_app(config=None):
    """Build the volunteers API; `config` defaults to the environment."""
    config = (config or Config(SERVICE)).use(SETTINGS)
    app = create_service_app(config, import_name=__name__, blueprints=[views.bp], metric_refreshers=[metrics.refresh])
    _hash_plain_tokens(app)
    return app


def _hash_plain_tokens(app) -> None:
    """Personal tokens stored in plain by an older version are hashed at start (idempotent, per document)."""
    try:
        changed = service.hash_plain_tokens()
    except PyMongoError:  # the database is away: the next start does it; the app still starts (not ready)
        app.logger.warning("personal tokens not checked for plain storage: database unavailable")
        return
    if changed:
        app.logger.info("hashed %d personal tokens stored in plain", changed)
