"""The mediation service's app factory."""
from services.mediation import clock, metrics, views
from services.mediation.config import MediationConfig, extend
from shared.web.factory import create_service_app

SERVICE = "mediation"


def create_app(config=None):
    """Build the mediation API; `config` defaults to the environment (a test config gets the defaults added)."""
    config = extend(config or MediationConfig(SERVICE))
    clock.configure(config)
    return create_service_app(config, import_name=__name__, blueprints=[views.bp], metric_refreshers=[metrics.refresh])
