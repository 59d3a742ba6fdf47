"""Streets (街道): the list (the district's admin renames them) and a street's overview: its communities as rows with
grids against the band, households, care visits overdue and staffing from the register, and, where cheap, each
community's volunteers, drills held this year and open disputes from the other services' figures."""
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from gateway import places
from gateway.auth import may, permission_required
from gateway.calls import CODE, checked, form_reasons, press, service
from gateway.forms.streets import CommunityNameForm, GridWorkersForm, StreetForm
from gateway.models import User
from gateway.upstream import ServiceError
from gateway.users import parse_ids
from shared import clock

bp = Blueprint("streets", __name__)


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
    others = _other_figures([row["id"] for row in street["communities"]])
    forms = {row["id"]: CommunityNameForm(data=row, prefix=row["id"]) for row in street["communities"]} \
        if may("streets.manage") else {}
    return render_template("streets/overview.html", street=street, others=others, forms=forms,
                           year=clock.today().year)


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


def _other_figures(community_ids: list[str]) -> dict[str, dict]:
    """Per community, what the other services count, where one call answers it: volunteers against the targets,
    drills held this year, open disputes. A service that is down or refuses leaves its figures out (None)."""
    configured = current_app.config["SERVICE_URLS"]
    out: dict[str, dict] = {cid: {} for cid in community_ids}
    if "drills" in configured and may("drills.read"):
        try:
            rows = service("drills").get("/compliance")
            held = {row["community_id"]: row.get("drills_held", 0) for row in rows}
            for cid in community_ids:
                out[cid]["drills_held"] = held.get(cid, 0)
        except ServiceError:
            pass
    for cid in community_ids:
        if "volunteers" in configured and may("volunteers.figures"):
            try:
                figures = service("volunteers").get(f"/communities/{cid}/figures")
                out[cid].update({key: figures.get(key) for key in (
                    "volunteers", "volunteer_target", "teams", "team_target", "meets_volunteer_target",
                    "meets_team_target")})
            except ServiceError:
                pass
        if "mediation" in configured and may("disputes.read"):
            try:
                page = service("mediation").get("/disputes", params={"community_id": cid, "status": "open",
                                                                      "page_size": 1})
                out[cid]["disputes_open"] = page.get("total", 0)
            except ServiceError:
                pass
    return out
