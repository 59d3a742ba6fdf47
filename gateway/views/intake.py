"""What registering a dispute and registering a request share (gateway/forms/common.py CaseIntakeForm): the places
a case may be registered in, the grid worker's defaults, the register search and picking (or clearing) a household
for a side of the form, and the applicant and the place as the mediation service reads them.
"""
import re
from collections.abc import Callable

from flask import abort, request
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from gateway.auth import current_user, principal
from gateway.calls import CODE, attempt, present, service
from gateway.places import place_name
from gateway.views.entries import typed

PICK = re.compile(r"^(applicant|respondent):([A-Za-z0-9_-]{1,40})$")


def places() -> list[SelectChoice]:
    """Grids and communities the user may register a case in (the household's grid when left empty)."""
    me = principal()
    grids = service("households").get("/grids")
    out = [SelectChoice("", _("The grid of the household chosen from the register"))]
    # a whole community only for those whose scope is the community (a grid worker's is their grids)
    communities = sorted(c for c in {g["community_id"] for g in grids} | set(me.community_ids)
                         if me.covers(community_id=c, grid_id=None))
    out += [SelectChoice(f"community:{c}", _("%(name)s (no particular grid)", name=place_name(c))) for c in communities]
    out += [SelectChoice(f"grid:{g['id']}", f"{g['name']} ({g['id']})") for g in grids]
    return out


def before_registering(form_class, page: Callable, sides=("applicant",)):
    """The intake's steps before the case is registered, as (form, page): the empty form with a grid worker's
    defaults (GET), the register searched, or a household picked or cleared for one of `sides`; the page is None
    when the form was posted to register (or with another button, which the view judges)."""
    if request.method == "GET":
        form = form_class(formdata=None)
        user = current_user()
        if user.role == "grid_worker":  # a grid worker reports from their grid
            form.channel.data = "grid_report"
            if len(user.grid_ids) == 1:
                form.place.data = f"grid:{user.grid_ids[0]}"
        return form, page(form)
    form = form_class()
    action = request.form.get("action") or "register"
    if action == "search":
        q = typed(form.q.data)
        results, errors = attempt(form, lambda: service("mediation").get(
            "/register/households", params={"q": q, "limit": 10})) if q else ([], [])
        return form, page(form, results=results, errors=errors, status=422 if results is None else 200)
    picked = PICK.match(action)
    if picked or action.startswith("clear:"):
        side = picked[1] if picked else action.split(":", 1)[1]
        if side not in sides:
            abort(400)
        form[f"{side}_household"].data = picked[2] if picked else ""
        form[f"{side}_label"].data = (request.form.get(f"label:{picked[2]}") or picked[2])[:200] if picked else ""
        return form, page(form)
    return form, None


def party(form, side: str) -> dict:
    """The one a side of the form stands for: the household chosen from the register, or the person typed in
    (what was left empty left out)."""
    household = form[f"{side}_household"].data
    if household:
        return {"kind": "household", "household_id": household}
    return present({"kind": "person", "name": typed(form[f"{side}_name"].data),
                    "phone": typed(form[f"{side}_phone"].data), "address": typed(form[f"{side}_address"].data)})


def place(form) -> dict:
    """The grid or community chosen ({"grid_id": …} or {"community_id": …}); none for the household's grid."""
    kind, _sep, code = (form.place.data or "").partition(":")
    return {f"{kind}_id": code} if kind in ("grid", "community") and CODE.match(code) else {}
