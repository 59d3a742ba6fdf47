"""Calls from the gateway to the services, as the signed-in user.

Every call carries `X-Grid-Identity` (the user's role and scope, signed with the gateway's private key
IDENTITY_PRIVATE_KEY for this one service, method and path, and short-lived) and `X-Correlation-ID`. The services check scope on every object; the gateway never
widens or narrows it.
"""
import logging
import time

import requests
from flask import current_app, g, has_request_context

from gateway.metrics import UPSTREAM_LATENCY
from shared.identity import HEADER, Principal, sign
from shared.web.observability import CORRELATION_ID

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """A service answered with an error, or did not answer (status 503).

    `message` and `fields` are the service's English; `reason` ({code, params}) and `field_reasons` ({path:
    [{code, params}]}) say the same by code, for the gateway's pages to show in the user's language.
    """

    def __init__(self, service: str, status: int, body: dict | None = None, *, detail: str = ""):
        body = body if isinstance(body, dict) else {}
        self.service = service
        self.status = status
        self.message = body.get("message") or detail or ""
        self.fields = body.get("fields") or {}
        self.reason = body.get("reason") if isinstance(body.get("reason"), dict) else {}
        self.field_reasons = body.get("field_reasons") if isinstance(body.get("field_reasons"), dict) else {}
        self.body = body
        super().__init__(f"{service} answered {status}: {self.message}")

    @property
    def unavailable(self) -> bool:
        return self.status in (502, 503, 504) or self.status >= 500


class ServiceClient:
    """One backing service, called on behalf of one user."""

    def __init__(self, name: str, base_url: str, *, principal: Principal, key: str, http: requests.Session,
                 timeout: tuple[float, float]):
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.principal = principal
        self.key = key
        self.http = http
        self.timeout = timeout

    def headers(self, method: str, path: str) -> dict:
        """The identity for this one call (`path` as sent, query string allowed) and the correlation id."""
        token = sign(self.principal, key=self.key, audience=self.name, method=method, path=path)
        out = {HEADER: token, "Accept": "application/json"}
        if has_request_context() and g.get("correlation_id"):
            out[CORRELATION_ID] = g.correlation_id
        return out

    def request(self, method: str, path: str, *, params=None, json=None, data=None, files=None,
                headers=None, stream=False) -> requests.Response:
        """The raw response for any status; ServiceError(503) when the service cannot be reached."""
        url = self.base_url + "/" + path.lstrip("/")
        all_headers = self.headers(method, "/" + path.lstrip("/"))
        all_headers.update(headers or {})
        started = time.perf_counter()
        attempts = 2 if method == "GET" else 1  # reads are retried once on a dropped connection
        for attempt in range(attempts):
            try:
                response = self.http.request(method, url, params=params, json=json, data=data, files=files,
                                             headers=all_headers, timeout=self.timeout, stream=stream,
                                             allow_redirects=False)
                break
            except requests.RequestException as exc:
                if attempt + 1 < attempts and isinstance(exc, requests.ConnectionError):
                    continue
                UPSTREAM_LATENCY.labels(self.name, method, "unreachable").observe(time.perf_counter() - started)
                log.warning("service unreachable", extra={"service": self.name, "url": url, "error": str(exc)})
                raise ServiceError(self.name, 503, detail="service unreachable") from None
        UPSTREAM_LATENCY.labels(self.name, method, str(response.status_code)).observe(time.perf_counter() - started)
        if response.status_code == 401:
            # The service refused our signature: a configuration fault, not the user's.
            log.error("service refused the gateway's identity", extra={"service": self.name})
        return response

    def call(self, method: str, path: str, **kwargs):
        """The JSON body of a 2xx answer; ServiceError otherwise."""
        response = self.request(method, path, **kwargs)
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = {}
            status = 503 if response.status_code == 401 else response.status_code
            raise ServiceError(self.name, status, body)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ServiceError(self.name, 502, detail="the service answered something other than JSON") from None

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, **kw):
        return self.call("POST", path, **kw)

    def put(self, path, **kw):
        return self.call("PUT", path, **kw)


def http_session() -> requests.Session:
    """One pooled HTTP session per app (thread-safe for plain requests)."""
    s = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=8, pool_maxsize=32)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    s.trust_env = False
    return s


def client(name: str, principal: Principal) -> ServiceClient:
    """A client for service `name` acting as `principal`; 503 when the service is not configured."""
    app = current_app
    base = app.config["SERVICE_URLS"].get(name)
    if not base:
        raise ServiceError(name, 503, detail="service not configured")
    return ServiceClient(name, base, principal=principal, key=app.config["IDENTITY_PRIVATE_KEY"],
                         http=app.extensions["gateway_http"],
                         timeout=(app.config["SERVICE_CONNECT_TIMEOUT_S"], app.config["SERVICE_READ_TIMEOUT_S"]))
