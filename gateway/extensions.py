"""Flask extensions the gateway shares across its blueprints (initialised in create_app)."""
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
babel = Babel()
