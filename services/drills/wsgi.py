"""gunicorn entry point: `gunicorn services.drills.wsgi:app`."""
from services.drills.app import create_app

app = create_app()
