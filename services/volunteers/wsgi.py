"""gunicorn entry point: `gunicorn services.volunteers.wsgi:app`."""
from services.volunteers.app import create_app

app = create_app()
