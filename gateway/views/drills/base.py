"""The drills pages' blueprint and what they share: the client, who may plan, and the communities planned for."""
from flask import Blueprint, redirect, request

from gateway.auth import current_user, principal, safe_next
from gateway.calls import flash_outcome, press, service

bp = Blueprint("drills", __name__, url_prefix="/drills")


def dr():
    return service("drills")


def can_manage() -> bool:
    return principal().may("drills.manage")


def communities() -> list[str]:
    """The communities this user plans for: their own, or (district-wide roles) every one the drills service knows."""
    user = current_user()
    if user.community_ids:
        return list(user.community_ids)
    return sorted({g["community_id"] for g in dr().get("/grids")})


def chosen(form_value: str | None = None) -> str | None:
    """The community a page is about: the one asked for if it is the user's, else their first."""
    wanted = form_value or request.args.get("community_id") or ""
    mine = communities()
    if wanted and wanted in mine:
        return wanted
    return mine[0] if mine else None


def back_to(default: str) -> str:
    """Where the page was that posted (its `next`), else `default`."""
    return safe_next(request.args.get("next"), default)


def button(path: str, body: dict, ok_message: str, back: str, form=None):
    """A button that changes one thing: back to `back`, with what happened (the service's reasons named by the
    labels of the button's `form`, when it has one)."""
    if form is None:
        flash_outcome(lambda: dr().post(path, json=body), ok_message)
    else:
        press(form, lambda: dr().post(path, json=body), ok_message)
    return redirect(back, code=303)
