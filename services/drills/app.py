"""The drills service's app factory."""
from services.drills import metrics, views
from services.drills.config import DrillsConfig, add_settings
from shared.web.factory import create_service_app


def create_app(config=None):
    """Build the drills API; `config` defaults to the environment."""
    config = add_settings(config) if config else DrillsConfig()
    return create_service_app(config, import_name=__name__, blueprints=[views.bp], metric_refreshers=[metrics.refresh])
