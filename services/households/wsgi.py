"""gunicorn entry point: `gunicorn services.households.wsgi:app`."""
from services.households.app import create_app

app = create_app()
