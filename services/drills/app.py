"""The drills service's app factory."""
from services.drills import metrics, views
from services.drills.config import SERVICE, SETTINGS
from shared.config import Config
from shared.web.factory import create_service_app


def create_app(config=None):
    """Build the drills API; `config` defaults to the environment."""
    config = (config or Config(SERVICE)).use(SETTINGS)
    return create_service_app(config, import_name=__name__, blueprints=[views.bp], metric_refreshers=[metrics.refresh])
