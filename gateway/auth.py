"""Who is signed in, and what they may open. Sign-in, sign-out and the language link live in views/auth.py."""
import unicodedata
from dataclasses import replace
from functools import wraps
from urllib.parse import unquote

from bson import ObjectId
from bson.errors import InvalidId
from flask import abort, current_app, g, jsonify, redirect, request, session, url_for

from gateway.models import User
from gateway.places import street_communities
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


# What a user whose password was chosen by someone else may still open before choosing their own.
_BEFORE_OWN_PASSWORD = {"auth.change_password", "auth.logout", "auth.set_language", "auth.login", "static",
                        "service_worker", "health.healthz", "health.readyz", "health.metrics"}


def require_own_password():
    """before_request: a user whose password was set by someone else chooses their own before anything else."""
    user = g.get("user")
    if user is None or not user.must_change_password or not current_app.config.get("PASSWORD_CHANGE_REQUIRED"):
        return None
    if request.endpoint in _BEFORE_OWN_PASSWORD:
        return None
    if is_api_request():
        return jsonify(status=403, error="password_change_required", message="choose your own password first",
                       fields={}, request_id=g.get("request_id")), 403
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.change_password", next=safe_next(target, "")))


def current_user() -> User | None:
    return g.get("user")


def principal() -> Principal:
    """The signed-in user as the identity the services will verify. A street's staff carry their streets'
    communities too (asked of the register, kept briefly: gateway/places.py), so `Principal.covers` in every
    service sees each community of their street and nothing of another."""
    signed = g.get("signed_principal")
    if signed is None or signed.user_id != str(g.user.pk):
        signed = g.user.principal()
        if signed.street_ids:
            communities = tuple(dict.fromkeys(signed.community_ids + street_communities(signed)))
            signed = replace(signed, community_ids=communities)
        g.signed_principal = signed
    return signed


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
    """Signed in, and the role carries `permission` (shared.permissions, the one table). The view keeps the
    permission it asks for, so a link to it shows only to those it opens for (`may_open`)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if current_user() is None:
                return _refuse_anonymous()
            if not principal().may(permission):
                abort(403)
            return view(*args, **kwargs)

        wrapper.permission = permission
        return wrapper

    return decorate


def may(permission: str) -> bool:
    """The signed-in user's role carries `permission` (False when nobody is signed in)."""
    return current_user() is not None and principal().may(permission)


def may_open(endpoint: str) -> bool:
    """The signed-in user may open the page at `endpoint`: it asks for no permission, or for one they carry."""
    view = current_app.view_functions.get(endpoint)
    if view is None or current_user() is None:
        return False
    permission = getattr(view, "permission", None)
    return permission is None or principal().may(permission)


def safe_next(target: str | None, default: str = "/") -> str:
    """The one check of every `next`: a path on this site, else `default` (no open redirect, no header injection).

    Browsers drop tabs and newlines, read a backslash as a slash, and some proxies decode %2f or
    NFKC-fold a fullwidth solidus: so the target is refused when any of its decoded or folded forms
    could leave the site, carries a control character, or has an empty or dot segment in its path
    (which only a crafted link has, and which could resolve to `//host`).
    """
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2048:
        return default
    if any(c.isspace() for c in target):
        return default
    forms, decoded = {target}, target
    for _round in range(3):
        decoded = unquote(decoded)
        forms.add(decoded)
    forms |= {unicodedata.normalize("NFKC", f) for f in forms}
    for form in forms:
        path = form.split("?", 1)[0] + "/"
        leaves = "//" in path or "/./" in path or "/../" in path or "\\" in form
        if leaves or any(unicodedata.category(c)[0] in "CZ" and c != " " for c in form):
            return default
    return target
