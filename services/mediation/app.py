"""The mediation service's app factory."""
from services.mediation import metrics, views
from services.mediation.config import SERVICE, SETTINGS
from shared.config import Config
from shared.web.factory import create_service_app


def create_app(config=None):
    """Build the mediation API; `config` defaults to the environment."""
    config = (config or Config(SERVICE)).use(SETTINGS)
    return create_service_app(config, import_name=__name__, blueprints=[views.bp], metric_refreshers=[metrics.refresh])
