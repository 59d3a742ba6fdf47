"""Sign in, sign out, change one's password, and the language link."""
from flask import Blueprint, current_app, flash, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from gateway import passwords, sign_in_throttle
from gateway.auth import current_user, login_required, may, may_open, safe_next
from gateway.forms.accounts import ChangePasswordForm, LoginForm
from gateway.forms.common import PostForm
from gateway.i18n import LANG_COOKIE
from gateway.metrics import SIGN_INS
from gateway.models import User, now
from gateway.users import UserInvalid, audit, change_own_password

bp = Blueprint("auth", __name__)


@bp.app_context_processor
def _what_the_user_may():
    """Every template shows a link or button only to whom it serves: may("drills.manage"), may_open("admin.users")."""
    return {"may": may, "may_open": may_open}


def _throttled(seconds: int):
    SIGN_INS.labels("throttled").inc()
    minutes = (seconds + 59) // 60
    message = (_("Too many wrong passwords for this account from here. Try again in %(n)s seconds.", n=seconds)
               if seconds < 120 else
               _("Too many wrong passwords for this account from here. Try again in %(n)s minutes.", n=minutes))
    form = LoginForm()
    form.password.data = ""
    response = make_response(render_template("login.html", form=form, throttled=message), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        if current_user() is not None:
            return redirect(safe_next(request.args.get("next")))
        form.next.data = safe_next(request.args.get("next"), "")
        return render_template("login.html", form=form, expired=request.args.get("expired"),
                               bye=request.args.get("bye"))
    if not form.validate_on_submit():
        return render_template("login.html", form=form), 400
    username = form.username.data.strip().lower()
    address = request.remote_addr
    wait = sign_in_throttle.wait_seconds(account=username, address=address)
    if wait:
        return _throttled(wait)
    user = User.objects(username=username).first()
    ok = passwords.verify_password(user.password_hash if user else None, form.password.data)
    if not ok or not user.active:
        SIGN_INS.labels("failed").inc()
        sign_in_throttle.record_failure(account=username, address=address)
        audit("sign_in.failed", by=None, user_id=str(user.pk) if user else None, ip=address, username=username)
        form.password.data = ""
        return render_template("login.html", form=form, failed=True), 401
    sign_in_throttle.record_success(account=username, address=address)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(form.password.data)
    user.last_login_at = now()
    user.save()
    session.regenerate()  # a new token on sign-in: no session fixation
    session.clear()
    session["uid"] = str(user.pk)
    SIGN_INS.labels("ok").inc()
    audit("sign_in", by=str(user.pk), user_id=str(user.pk), ip=address)
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


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """The user's own password: the current one, the new one twice."""
    from gateway.views.admin import user_error_message

    form = ChangePasswordForm()
    user = current_user()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"), "")
    elif form.validate_on_submit():
        try:
            change_own_password(user, current=form.current.data, new=form.new.data, repeat=form.repeat.data,
                                keep_token=getattr(session, "token", None))
        except UserInvalid as exc:
            getattr(form, exc.field).errors.append(user_error_message(exc))
        else:
            session.regenerate()  # a new token once the password is the user's own
            session["uid"] = str(user.pk)
            flash(_("Your password has been changed."), "ok")
            return redirect(safe_next(form.next.data), code=303)
    for field in (form.current, form.new, form.repeat):
        field.data = ""
    return render_template("password.html", form=form, forced=user.must_change_password,
                           min_length=passwords.MIN_LENGTH), (422 if request.method == "POST" else 200)


@bp.get("/lang/<code>")
def set_language(code):
    target = safe_next(request.args.get("next"))
    response = make_response(redirect(target))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=request.is_secure or bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response
