"""Rate limits (Flask-Limiter) of the public, account-free pages. Sign-in has its own throttle
(gateway/sign_in_throttle.py): growing delays per account and address, which a fixed limit cannot give.

A public page is marked with `@public_page("token")`, naming the URL part that identifies the link
(a sign-up token, a personal token, a certificate serial, a survey token). `install` then limits it
per client address and per link, for reads (GET) and for sends (POST) separately, with the limits
from the config. One Limiter per app, so apps built in one process (tests) never share counters.
"""
from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

PUBLIC_ATTR = "_public_link_param"


def public_page(param: str):
    """Mark a view as a public page limited per address and per the link named by URL part `param`."""

    def mark(view):
        setattr(view, PUBLIC_ATTR, param)
        return view

    return mark


def _link_key(param: str):
    def key() -> str:
        value = (request.view_args or {}).get(param) or ""
        return f"link:{request.blueprint}:{value[:100]}"

    return key


def install(app: Flask) -> Limiter:
    uri = app.config["RATELIMIT_STORAGE_URI"]
    options = dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
    if uri.startswith("mongodb"):
        options.setdefault("database_name", app.config["MONGO_DB"])
    limiter = Limiter(get_remote_address, app=app, storage_uri=uri, storage_options=options,
                      strategy="moving-window", default_limits=[])
    app.extensions["gateway_limiter"] = limiter
    cfg = app.config
    for endpoint, view in list(app.view_functions.items()):
        param = getattr(view, PUBLIC_ATTR, None)
        if not param:
            continue
        wrapped = view
        for methods, ip_limit, link_limit, kind in (
                (["GET", "HEAD"], cfg["PUBLIC_READ_LIMIT_IP"], cfg["PUBLIC_READ_LIMIT_TOKEN"], "read"),
                (["POST"], cfg["PUBLIC_WRITE_LIMIT_IP"], cfg["PUBLIC_WRITE_LIMIT_TOKEN"], "write")):
            wrapped = limiter.shared_limit(ip_limit, scope=f"public-{kind}-ip", methods=methods)(wrapped)
            wrapped = limiter.shared_limit(link_limit, scope=f"public-{kind}-link", key_func=_link_key(param),
                                           methods=methods)(wrapped)
        app.view_functions[endpoint] = wrapped
    return limiter

