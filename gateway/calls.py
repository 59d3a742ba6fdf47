"""What the pages of the volunteers, drills and mediation services share: calling a service as the signed-in
user or as a resident on a public page, putting a service's reasons on a form, streaming its files, and
the checks on ids taken from a URL.
"""
import re

from flask import Response, abort, flash
from flask_babel import gettext as _

from gateway.auth import principal
from gateway.i18n import field_label, field_texts, reason_text
from gateway.upstream import ServiceError, client
from shared.identity import PUBLIC_ROLE, Principal

CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
SERIAL = re.compile(r"^[A-Za-z0-9-]{4,40}$")
REF = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Pages with a revealed number, a fresh link or a public token: never kept by a browser or a proxy.
NO_STORE = {"Cache-Control": "no-store"}
# A resident on a public page: no scope at all; the link's token is the only key.
PUBLIC = Principal(user_id="public", role=PUBLIC_ROLE, name="")


def service(name: str):
    """A client for `name` acting as the signed-in user."""
    return client(name, principal())


def public(name: str):
    """A client for `name` acting as an anonymous resident (shared.identity.PUBLIC_ROLE)."""
    return client(name, PUBLIC)


def passed_on(upload, default_name: str) -> tuple:
    """A browser's upload as it is sent on to a service: (file name, stream, content type)."""
    return upload.filename or default_name, upload.stream, upload.mimetype or "application/octet-stream"


def checked(value: str | None, pattern: re.Pattern = OBJECT_ID) -> str:
    """An id from the URL, or 404 (never pass anything odd on to a service)."""
    if not value or not pattern.match(value):
        abort(404)
    return value


def put_errors(form, exc: ServiceError, mapping: dict | None = None) -> list[str]:
    """A service's field reasons on the form's own fields (in the user's language); returns the reasons
    that fit no field, as sentences for the top of the form. `mapping` maps a service path to a form
    field name where they differ (e.g. {"parties.0.name": "applicant_name"})."""
    leftover = []
    if not exc.fields or exc.status == 409:
        leftover.append(reason_text(exc.reason, exc.message) or _("Some entries need correcting."))
    for path, reasons in field_texts(exc.fields, exc.field_reasons).items():
        target = (mapping or {}).get(path, path)
        for candidate in (target, target.split(".")[-1]):
            field = getattr(form, candidate, None) if form is not None and candidate and "." not in candidate else None
            if field is not None and hasattr(field, "errors"):
                field.errors = list(field.errors or []) + reasons
                break
        else:
            leftover.extend(f"{field_label(path)}{_(': ')}{r}" for r in reasons)
    return leftover


def error_lines(exc: ServiceError) -> list[str]:
    """Everything a service said in refusing, in the user's language: its reason, then "Field: reason" lines."""
    lines = [reason_text(exc.reason, exc.message)]
    for path, reasons in field_texts(exc.fields, exc.field_reasons).items():
        lines.extend(f"{field_label(path)}{_(': ')}{r}" for r in reasons)
    return list(dict.fromkeys(line for line in lines if line))


def attempt(form, call, mapping: dict | None = None):
    """Run `call()`; (result, []) when it worked, (None, reasons that fit no field) when the service refused
    the input (4xx other than 403/404, which, like an outage, become the error page)."""
    try:
        return call(), []
    except ServiceError as exc:
        if exc.unavailable or exc.status in (401, 403, 404):
            raise
        return None, put_errors(form, exc, mapping)


def stream(upstream, *, filename: str, attachment: bool = True) -> Response:
    """A service's file (PDF, image) passed on to the browser without holding it in memory."""
    if upstream.status_code >= 400:
        try:
            body = upstream.json()
        except ValueError:
            body = {}
        status = upstream.status_code
        upstream.close()
        raise ServiceError("file", 503 if status == 401 else status, body)
    headers = {"Content-Type": upstream.headers.get("Content-Type", "application/octet-stream"),
               "Cache-Control": "no-store",
               "Content-Disposition": f'{"attachment" if attachment else "inline"}; filename="{filename}"'}
    if headers["Content-Type"].startswith("image/svg"):
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response = Response(upstream.iter_content(64 * 1024), headers=headers, direct_passthrough=True)
    response.call_on_close(upstream.close)
    return response


def flash_error(exc: ServiceError) -> str:
    """One sentence for a refused button press (shown as a flash message)."""
    return " ".join(error_lines(exc)) or _("Some entries need correcting.")


def flash_outcome(call, ok_message: str) -> bool:
    """Press a button on a service: flash `ok_message`, or the service's reasons when it refuses.

    A service that is down, or a 401/403/404, is not the user's to fix here: it goes to the error pages.
    """
    try:
        call()
    except ServiceError as exc:
        if exc.unavailable or exc.status in (401, 403, 404):
            raise
        flash(flash_error(exc), "error")
        return False
    flash(ok_message, "ok")
    return True


def form_reasons(form) -> str:
    """A form's own reasons as one sentence (for a flash message), e.g. "Hours: Required." """
    return " ".join(f"{field.label.text}{_(': ')}{error}" for field in form for error in field.errors)


def present(body: dict) -> dict:
    """A service's request body without the entries left blank (None), so the service reads them as left out:
    "required" for a required one, its own default for an optional one."""
    return {key: value for key, value in body.items() if value is not None}


def press(form, call, ok_message: str) -> bool:
    """Press a small form's button on a service: flash `ok_message`, or the service's reasons named by the form's
    own labels ("People received: A whole number."). A 401/403/404 or an outage goes to the error pages."""
    done, leftover = attempt(form, lambda: call() or True)
    if done is None:
        flash(" ".join([*leftover, form_reasons(form)]).strip() or _("Some entries need correcting."), "error")
        return False
    flash(ok_message, "ok")
    return True
