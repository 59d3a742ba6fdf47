"""Sign in, sign out, and the language link."""
from flask import Blueprint, current_app, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from gateway import passwords
from gateway.auth import current_user, safe_next
from gateway.forms import LoginForm, PostForm
from gateway.i18n import LANG_COOKIE
from gateway.metrics import SIGN_INS
from gateway.models import User, now
from gateway.users import audit

bp = Blueprint("auth", __name__)


def account_key() -> str:
    """The throttling key of the account being tried (per account, whatever the IP)."""
    return "account:" + (request.form.get("username") or "").strip().lower()[:40]


def failed_attempt(response) -> bool:
    """Count an attempt against the limits unless it signed someone in."""
    return response.status_code != 303


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        if current_user() is not None:
            return redirect(safe_next(request.args.get("next")))
        form.next.data = request.args.get("next", "")
        return render_template("login.html", form=form, expired=request.args.get("expired"),
                               bye=request.args.get("bye"))
    if not form.validate_on_submit():
        return render_template("login.html", form=form), 400
    username = form.username.data.strip().lower()
    user = User.objects(username=username).first()
    ok = passwords.verify_password(user.password_hash if user else None, form.password.data)
    if not ok or not user.active:
        SIGN_INS.labels("failed").inc()
        audit("sign_in.failed", by=None, user_id=str(user.pk) if user else None, ip=request.remote_addr,
              username=username)
        form.password.data = ""
        return render_template("login.html", form=form, failed=True), 401
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(form.password.data)
    user.last_login_at = now()
    user.save()
    session.regenerate()  # a new token on sign-in: no session fixation
    session.clear()
    session["uid"] = str(user.pk)
    SIGN_INS.labels("ok").inc()
    audit("sign_in", by=str(user.pk), user_id=str(user.pk), ip=request.remote_addr)
    return redirect(safe_next(form.next.data), code=303)


@bp.post("/logout")
def logout():
    form = PostForm()
    form.validate_on_submit()  # CSRFProtect has already refused a request without a valid token
    user = current_user()
    if user is not None:
        audit("sign_out", by=str(user.pk), user_id=str(user.pk), ip=request.remote_addr)
    session.destroy()
    g.user = None
    return redirect(url_for("auth.login", bye=1), code=303)


@bp.get("/lang/<code>")
def set_language(code):
    target = safe_next(request.args.get("next"))
    response = make_response(redirect(target))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=request.is_secure or bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


def throttled_message() -> str:
    return _("Too many sign-in attempts. Please wait 15 minutes and try again.")
