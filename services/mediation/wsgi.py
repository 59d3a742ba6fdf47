"""gunicorn entry point: `gunicorn services.mediation.wsgi:app`."""
from services.mediation.app import create_app

app = create_app()
