"""The mediation service's app factory."""
from services.mediation import desk_views, dispatch_views, metrics, photo_views, views
from services.mediation.config import SERVICE, SETTINGS, photo_form_bytes
from shared.config import Config
from shared.web.factory import create_service_app


def create_app(config=None):
    """Build the mediation API; `config` defaults to the environment."""
    config = (config or Config(SERVICE)).use(SETTINGS)
    # Flask's limit (MAX_UPLOAD_BYTES) would refuse an incident's three photos before the use case sees them.
    config.MAX_CONTENT_LENGTH = max(config.MAX_CONTENT_LENGTH, photo_form_bytes(config))
    return create_service_app(config, import_name=__name__,
                              blueprints=[views.bp, desk_views.bp, dispatch_views.bp, photo_views.bp],
                              metric_refreshers=[metrics.refresh])
