"""The JSON API pass-through: /api/<service>/<path> -> the service, as the signed-in user.

Authentication is the browser session; every write needs the CSRF token (header X-CSRFToken).
Scope is the service's business: it sees the user's signed identity and answers 404 for anything
outside it, so the pass-through gives exactly what the pages give. A service's public/ routes (what the
account-free pages call as a resident) are not passed through: those pages have their own, rate-limited
routes (/v/..., /survey/...), and a staff identity must not reach a resident's data by a token.
"""
import re

from flask import Blueprint, Response, current_app, jsonify, request
from flask_wtf.csrf import generate_csrf

from gateway.auth import current_user, login_required, principal
from gateway.calls import passed_on
from gateway.upstream import client
from shared.web.errors import error_response

bp = Blueprint("api", __name__, url_prefix="/api")
_SAFE_PATH = re.compile(r"^[A-Za-z0-9_\-./]{0,300}$")
_PASS_HEADERS = ("Content-Type", "Content-Disposition", "X-Request-ID")
_FORWARD_HEADERS = ("Content-Type",)


@bp.get("/me")
@login_required
def me():
    """Who is signed in, with a fresh CSRF token for scripts."""
    user = current_user()
    return jsonify(id=str(user.pk), username=user.username, name=user.name, role=user.role,
                   grid_ids=list(user.grid_ids), community_ids=list(user.community_ids),
                   street_ids=list(user.street_ids or []), csrf_token=generate_csrf())


@bp.route("/<service>/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@login_required
def passthrough(service, rest):
    if service not in current_app.config["SERVICE_URLS"]:
        return error_response(404, f"no service called {service}")
    if not _SAFE_PATH.match(rest) or any(part in ("", ".", "..") for part in rest.split("/")):
        return error_response(404, "no such path")
    if rest.split("/", 1)[0] == "public":
        return error_response(404, "no such path")
    headers = {h: request.headers[h] for h in _FORWARD_HEADERS if h in request.headers}
    upstream = client(service, principal()).request(
        request.method, rest, params=request.args.to_dict(flat=False), headers=headers, stream=True,
        **_body(headers))
    out_headers = {h: upstream.headers[h] for h in _PASS_HEADERS if h in upstream.headers}
    if upstream.status_code == 401:  # the service refused the gateway's signature: our fault, not the user's
        upstream.close()
        return error_response(503, "service unavailable")
    response = Response(upstream.iter_content(64 * 1024), status=upstream.status_code, headers=out_headers,
                        direct_passthrough=True)
    response.call_on_close(upstream.close)
    return response


def _body(headers: dict) -> dict:
    """The request's body for the service. CSRF protection has already parsed a form (its token may travel in
    it), so a form or an upload is sent on rebuilt from the parsed fields and files, without the token."""
    if request.method == "GET":
        return {"data": None}
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        fields = [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"]
        if request.mimetype == "multipart/form-data":
            headers.pop("Content-Type", None)  # a new boundary comes with the rebuilt body
            files = [(name, passed_on(f, name)) for name, f in request.files.items(multi=True)]
            return {"data": fields, "files": files or None}
        return {"data": fields}
    return {"data": request.get_data()}
