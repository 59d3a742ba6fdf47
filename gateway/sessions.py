"""Server-side sessions in MongoDB: revocable, 30 minutes idle, 12 hours at most.

The cookie carries only a random token (HttpOnly, SameSite=Lax, Secure over HTTPS or when configured);
the database stores the token's SHA-256, so a copy of the database opens no session. Signing in
rotates the token (no session fixation); signing out deletes the record.

Only a signed-in user's session is stored. What an anonymous visitor's pages need between requests
(the CSRF token of the sign-in, sign-up and survey forms, a flashed message) travels in a second,
signed cookie (`<session cookie>_anon`) and is never written to the database: public pages opened by
anyone on the internet create no documents. The form's token and the cookie's copy must match
(a signed double-submit), so CSRF protection is the same as with a stored session.
"""
from datetime import timedelta

from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pymongo.errors import PyMongoError
from werkzeug.datastructures import CallbackDict

from gateway.models import SessionRecord
from shared.clock import aware, now
from shared.tokens import new_token, token_hash

TOUCH_EVERY_S = 60  # refresh last_seen at most once a minute
# Requests that never need a session (static files, probes, metrics): no database read, no cookie.
SESSIONLESS = ("/static/", "/healthz", "/readyz", "/metrics", "/sw.js")
SESSION_REMAINING_HEADER = "X-Session-Remaining"


class ServerSession(CallbackDict, SessionMixin):
    """A dict that remembers whether it changed, plus what the store needs to know."""

    def __init__(self, data=None, *, token=None, record=None, expired=False, store_down=False):
        def on_update(self):
            self.modified = True

        super().__init__(data or {}, on_update)
        self.token = token
        self.record = record
        self.new = record is None
        self.modified = False
        self.expired = expired  # a cookie came in, but its session had ended
        self.destroyed = False
        self.rotate = False
        self.store_down = store_down  # the session store did not answer: the app answers 503
        self.had_anonymous_cookie = False

    def regenerate(self) -> None:
        """A fresh token and record (call on sign-in); the old record is deleted."""
        self.rotate = True
        self.modified = True

    def destroy(self) -> None:
        """End this session: the record is deleted and the cookie removed."""
        self.clear()
        self.destroyed = True


def anonymous_cookie_name(app) -> str:
    return app.config["SESSION_COOKIE_NAME"] + "_anon"


def _anonymous_serializer(app) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.secret_key, salt="grid-anonymous-session")


class MongoSessionInterface(SessionInterface):
    def _cookie_secure(self, app, request) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure

    def _anonymous(self, app, request, **flags) -> ServerSession:
        """An anonymous session from the signed cookie (empty when there is none or it is not ours)."""
        raw = request.cookies.get(anonymous_cookie_name(app))
        data = {}
        if raw and len(raw) <= 4096:
            try:
                data = _anonymous_serializer(app).loads(raw, max_age=app.config["SESSION_ABSOLUTE_S"])
            except BadSignature:
                data = {}
        data = {k: v for k, v in (data if isinstance(data, dict) else {}).items() if k != "uid"}
        session = ServerSession(data, **flags)
        session.had_anonymous_cookie = raw is not None
        return session

    def open_session(self, app, request):
        if request.path.startswith(SESSIONLESS):
            session = ServerSession()
            session.passive = True
            return session
        token = request.cookies.get(app.config["SESSION_COOKIE_NAME"])
        if not token or len(token) > 128:
            return self._anonymous(app, request)
        try:
            record = SessionRecord.objects(pk=token_hash(token)).first()
        except PyMongoError:
            app.logger.exception("session store unavailable")
            return ServerSession(store_down=True)
        if record is None:
            return self._anonymous(app, request, expired=True)
        at = now()
        idle = timedelta(seconds=app.config["SESSION_IDLE_S"])
        if aware(record.expires_at) <= at or aware(record.last_seen) + idle <= at:
            record.delete()
            return self._anonymous(app, request, expired=bool(record.user_id))
        return ServerSession(dict(record.data or {}), token=token, record=record)

    def save_session(self, app, session: ServerSession, response):
        try:
            self._save(app, session, response)
        except PyMongoError:
            # The page already rendered goes out; the next request finds the store down and answers 503.
            app.logger.exception("session store unavailable while saving")

    def _save(self, app, session: ServerSession, response):
        name = app.config["SESSION_COOKIE_NAME"]
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        if session.destroyed or (session.rotate and session.record is not None):
            if session.record is not None:
                session.record.delete()
            if session.destroyed:
                response.delete_cookie(name, domain=domain, path=path)
                self._drop_anonymous(app, session, response)
                return
            session.record, session.token = None, None
        if session.store_down or getattr(session, "passive", False):
            return
        if session.record is None and not session.get("uid"):
            if session.expired:
                response.delete_cookie(name, domain=domain, path=path)
            self._save_anonymous(app, session, response)
            return
        at = now()
        if session.record is None:
            self._drop_anonymous(app, session, response)
            from flask import request

            session.token = new_token()
            session.record = SessionRecord(
                id=token_hash(session.token), created_at=at, last_seen=at,
                expires_at=at + timedelta(seconds=app.config["SESSION_ABSOLUTE_S"]),
                ip=(request.remote_addr or "")[:64], user_agent=request.headers.get("User-Agent", "")[:200])
            session.record.user_id = session.get("uid")
            session.record.data = dict(session)
            session.record.save(force_insert=True)
        elif session.modified:
            SessionRecord.objects(pk=session.record.pk).update_one(
                set__data=dict(session), set__user_id=session.get("uid"), set__last_seen=at)
            session.record.last_seen = at
        elif (at - aware(session.record.last_seen)).total_seconds() >= TOUCH_EVERY_S:
            SessionRecord.objects(pk=session.record.pk).update_one(set__last_seen=at)
            session.record.last_seen = at
        else:
            self._tell_remaining(app, session, response, at)
            return
        self._tell_remaining(app, session, response, at)
        response.set_cookie(
            name, session.token, expires=aware(session.record.expires_at), domain=domain, path=path,
            httponly=True, secure=self._cookie_secure(app, _request()),
            samesite=app.config.get("SESSION_COOKIE_SAMESITE") or "Lax")
        response.vary.add("Cookie")

    def _tell_remaining(self, app, session: ServerSession, response, at) -> None:
        """Seconds this session has left (idle or absolute end): the service worker forgets the pages then."""
        ends = min(aware(session.record.expires_at),
                   aware(session.record.last_seen) + timedelta(seconds=app.config["SESSION_IDLE_S"]))
        response.headers[SESSION_REMAINING_HEADER] = str(max(0, int((ends - at).total_seconds())))

    def _save_anonymous(self, app, session: ServerSession, response) -> None:
        """An anonymous session's data goes in the signed cookie, never in the database."""
        if not session:
            self._drop_anonymous(app, session, response)
            return
        if not session.modified and session.had_anonymous_cookie:
            return
        response.set_cookie(
            anonymous_cookie_name(app), _anonymous_serializer(app).dumps(dict(session)),
            max_age=app.config["SESSION_ABSOLUTE_S"], domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app), httponly=True, secure=self._cookie_secure(app, _request()),
            samesite=app.config.get("SESSION_COOKIE_SAMESITE") or "Lax")
        response.vary.add("Cookie")

    def _drop_anonymous(self, app, session: ServerSession, response) -> None:
        if session.had_anonymous_cookie:
            response.delete_cookie(anonymous_cookie_name(app), domain=self.get_cookie_domain(app),
                                   path=self.get_cookie_path(app))


def _request():
    from flask import request

    return request


def end_sessions_of(user_id: str, *, except_token: str | None = None) -> int:
    """Revoke every session of a user (deactivated, password or role changed); returns how many."""
    query = SessionRecord.objects(user_id=str(user_id))
    if except_token:
        query = query.filter(pk__ne=token_hash(except_token))
    return query.delete()


def sessions_of(user_id: str) -> list[SessionRecord]:
    return list(SessionRecord.objects(user_id=str(user_id)).order_by("-last_seen"))
