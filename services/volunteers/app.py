"""The volunteers service's app factory."""
from services.volunteers import metrics, views
from services.volunteers.config import VolunteersConfig, add_settings
from shared.web.factory import create_service_app


def create_app(config=None):
    """Build the volunteers API; `config` defaults to the environment."""
    config = add_settings(config or VolunteersConfig())
    return create_service_app(config, import_name=__name__, blueprints=[views.bp], metric_refreshers=[metrics.refresh])
