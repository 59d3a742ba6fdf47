"""Who is signed in, and what they may open. Sign-in, sign-out and the language link live in views/auth.py."""
from functools import wraps

from bson import ObjectId
from bson.errors import InvalidId
from flask import abort, g, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _

from gateway.models import User
from shared.identity import Principal


def load_user() -> None:
    """before_request: the signed-in user on g.user (None when nobody is)."""
    g.user = None
    if getattr(session, "passive", False):
        return
    if getattr(session, "store_down", False):
        if request.endpoint not in ("health.healthz", "health.readyz", "health.metrics", "static"):
            abort(503)
        return
    uid = session.get("uid")
    if not uid:
        return
    try:
        user = User.objects(pk=ObjectId(uid)).first()
    except (InvalidId, TypeError):
        user = None
    if user is None or not user.active:
        session.destroy()  # the user was removed or deactivated: the session ends here
        return
    g.user = user


def current_user() -> User | None:
    return g.get("user")


def principal() -> Principal:
    """The signed-in user as the identity the services will verify."""
    return g.user.principal()


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def _refuse_anonymous():
    if is_api_request():
        return jsonify(status=401, error="unauthenticated", message="sign in first", fields={},
                       request_id=g.get("request_id")), 401
    expired = getattr(session, "expired", False)
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=target, expired=1 if expired else None))


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user() is None:
            return _refuse_anonymous()
        return view(*args, **kwargs)

    return wrapper


def permission_required(permission: str):
    """Signed in, and the role carries `permission` (shared.identity.PERMISSIONS)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if current_user() is None:
                return _refuse_anonymous()
            if not principal().may(permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def role_required(*roles: str):
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if current_user() is None:
                return _refuse_anonymous()
            if current_user().role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path on this site: never another host (open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def signed_in_message() -> str:
    return _("Signed in as %(name)s", name=current_user().name)
