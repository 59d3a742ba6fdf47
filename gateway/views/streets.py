"""Streets (街道): the list (the district's admin renames them) and a street's overview: its communities as rows with
grids against the band, households, care visits overdue and staffing from the register, and, where cheap, each
community's volunteers, drills held this year and open disputes from the other services' figures."""
from functools import partial

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway import places
from gateway.auth import may, permission_required
from gateway.calls import CODE, checked, form_reasons, press, service
from gateway.charts import volunteers as volunteer_charts
from gateway.charts.register import street_grid_sizes
from gateway.fanout import gather
from gateway.forms.streets import CommunityNameForm, GridWorkersForm, StreetForm
from gateway.models import User
from gateway.upstream import ServiceError
from gateway.users import parse_ids
from shared import clock

bp = Blueprint("streets", __name__)
# What each of the other services' figures is called when it is missing from the overview.
FIGURE_NAMES = (("volunteers", _l("Volunteers")), ("drills", _l("Drills")), ("disputes", _l("Open disputes")))


@bp.get("/streets")
@permission_required("streets.read")
def streets():
    rows = service("households").get("/streets")
    manages = may("streets.manage")
    if len(rows) == 1 and not manages:  # a street's staff: straight to their street
        return redirect(url_for("streets.overview", street_id=rows[0]["id"]))
    forms = {row["id"]: StreetForm(data=row, prefix=row["id"]) for row in rows} if manages else {}
    return render_template("streets/list.html", streets=rows, forms=forms)


@bp.post("/streets/<street_id>")
@permission_required("streets.manage")
def edit_street(street_id):
    checked(street_id, CODE)
    form = StreetForm(prefix=street_id)
    if form.validate_on_submit():
        body = {"name": form.name.data.strip(), "district": form.district.data.strip()}
        if press(form, lambda: service("households").call("PATCH", f"/streets/{street_id}", json=body),
                 _("Street %(name)s saved.", name=body["name"])):
            places.forget()
    else:
        flash(form_reasons(form), "error")
    return redirect(url_for("streets.streets"), code=303)


@bp.get("/streets/<street_id>")
@permission_required("streets.read")
def overview(street_id):
    checked(street_id, CODE)
    street = service("households").get(f"/streets/{street_id}/overview")
    others, missing = _other_figures([row["id"] for row in street["communities"]])
    forms = {row["id"]: CommunityNameForm(data=row, prefix=row["id"]) for row in street["communities"]} \
        if may("streets.manage") else {}
    return render_template("streets/overview.html", street=street, others=others, forms=forms, missing=missing,
                           year=clock.today().year, volunteer_charts=_volunteer_charts(street, others),
                           grid_chart=street_grid_sizes(street) if street["totals"]["grids"] else None)


@bp.post("/streets/<street_id>/communities/<community_id>")
@permission_required("streets.manage")
def rename_community(street_id, community_id):
    checked(street_id, CODE)
    checked(community_id, CODE)
    form = CommunityNameForm(prefix=community_id)
    if form.validate_on_submit():
        body = {"name": form.name.data.strip()}
        if press(form, lambda: service("households").call("PATCH", f"/communities/{community_id}", json=body),
                 _("Community %(name)s saved.", name=body["name"])):
            places.forget()
    else:
        flash(form_reasons(form), "error")
    return redirect(url_for("streets.overview", street_id=street_id), code=303)


@bp.post("/grids/<grid_id>/workers")
@permission_required("grids.manage")
def grid_workers(grid_id):
    """Assign a grid's full-time workers (grid worker accounts by username): the community's staffing counts them."""
    checked(grid_id, CODE)
    form = GridWorkersForm(prefix=grid_id)
    grid = service("households").get(f"/grids/{grid_id}")  # 404 outside the caller's area
    back = redirect(url_for("pages.grids", community_id=grid["community_id"]), code=303)
    if not form.validate_on_submit():
        flash(form_reasons(form), "error")
        return back
    usernames = [u.lower() for u in parse_ids(form.worker_ids.data)]
    known = {u.username for u in User.objects(username__in=usernames, role="grid_worker", active=True).only("username")}
    unknown = [u for u in usernames if u not in known]
    if unknown:
        flash(_("Not grid worker accounts: %(ids)s", ids=", ".join(unknown[:5])), "error")
        return back
    press(form, lambda: service("households").call("PATCH", f"/grids/{grid_id}", json={"worker_ids": usernames}),
          _("Grid workers of %(name)s saved.", name=grid["name"]))
    return back


VOLUNTEER_FIGURES = ("volunteers", "volunteer_target", "teams", "team_target", "meets_volunteer_target",
                     "meets_team_target", "residents", "share", "volunteer_share_target")


def _volunteer_charts(street: dict, others: dict[str, dict]) -> list:
    """Each community's volunteer share and teams against the targets, where the volunteers service answered."""
    rows = [volunteer_charts.as_month_row({"community_id": c["id"], **others[c["id"]]}) for c in street["communities"]
            if others.get(c["id"], {}).get("volunteers") is not None]
    return volunteer_charts.target_charts(rows, {c["id"]: c["name"] for c in street["communities"]},
                                          "street") if rows else []


def _other_figures(community_ids: list[str]) -> tuple[dict[str, dict], list[str]]:
    """Per community, what the other services count, where one call answers it: volunteers against the targets,
    drills held this year, open disputes; all asked at once. A service that refuses leaves its figures out (None);
    one that is down or late does too, and is named in the list of what is missing."""
    configured = current_app.config["SERVICE_URLS"]
    calls = {}
    if "drills" in configured and may("drills.read"):
        calls["drills", None] = partial(service("drills").get, "/compliance")
    if "volunteers" in configured and may("volunteers.figures"):
        volunteers = service("volunteers")
        calls.update({("volunteers", cid): partial(volunteers.get, f"/communities/{cid}/figures")
                      for cid in community_ids})
    if "mediation" in configured and may("disputes.read"):
        mediation = service("mediation")
        calls.update({("disputes", cid): partial(mediation.get, "/disputes", params={
            "community_id": cid, "status": "open", "page_size": 1}) for cid in community_ids})
    got = gather(calls)
    out: dict[str, dict] = {cid: {} for cid in community_ids}
    for (kind, cid), outcome in got.items():
        if not outcome.ok:
            continue
        if kind == "drills":
            held = {row["community_id"]: row.get("drills_held", 0) for row in outcome.value}
            for each in community_ids:
                out[each]["drills_held"] = held.get(each, 0)
        elif kind == "volunteers":
            out[cid].update({key: outcome.value.get(key) for key in VOLUNTEER_FIGURES})
        else:
            out[cid]["disputes_open"] = outcome.value.get("total", 0)
    late = {kind for (kind, _), o in got.items() if isinstance(o.error, ServiceError) and o.error.unavailable}
    return out, [str(label) for kind, label in FIGURE_NAMES if kind in late]
