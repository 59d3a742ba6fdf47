"""Volunteers' staff pages (community staff, team leaders, operators): the blueprint and what its pages share,
a community's figures against the targets, and sign-up links with their QR codes."""
from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from gateway.auth import current_user, permission_required, principal, safe_next
from gateway.calls import CODE, OBJECT_ID, attempt, checked, flash_outcome, present, press, service, stream
from gateway.charts import volunteers as volunteer_charts
from gateway.fanout import gather
from gateway.forms.volunteers import CapacityForm, CommunityNameForm, LinkForm
from gateway.views.entries import typed

bp = Blueprint("volunteers", __name__, url_prefix="/volunteers")


def vs():
    return service("volunteers")


def back_to(default: str) -> str:
    """Where the page was that posted (its `next`), else `default`."""
    return safe_next(request.args.get("next"), default)


def button(path: str, ok_message: str, back: str, json=None, form=None):
    """A button that changes one thing: back where it was pressed, with what happened (the service's reasons named
    by the labels of the button's `form`, when it has one)."""
    def call():
        return vs().post(path, json=json if json is not None else {})

    if form is None:
        flash_outcome(call, ok_message)
    else:
        press(form, call, ok_message)
    return redirect(back, code=303)


def leads_only() -> bool:
    """True for a team leader: they act for the teams they lead, not the whole community."""
    return current_user().role == "team_leader"


def team_choices(community_id: str, empty: str) -> list[SelectChoice]:
    teams = vs().get("/teams", params={"community_id": community_id})
    if leads_only():
        teams = [t for t in teams if str(current_user().pk) in t["leader_ids"]]
    return [SelectChoice("", empty)] + [SelectChoice(t["id"], t["name"]) for t in teams]


@bp.get("")
@permission_required("volunteers.pages")
def home():
    communities = vs().get("/communities")
    if len(communities) == 1 and not leads_only():
        return redirect(url_for("volunteers.community", community_id=communities[0]["id"]))
    led = vs().get("/teams/led") if leads_only() else []
    return render_template("volunteers/staff/home.html", communities=communities, led=led)


@bp.get("/<community_id>")
@permission_required("volunteers.pages")
def community(community_id):
    community_id = checked(community_id, CODE)
    volunteers = vs()
    calls = {"figures": partial(volunteers.get, f"/communities/{community_id}/figures"),
             "signups": partial(volunteers.get, f"/communities/{community_id}/signups-by-month")}
    if leads_only():
        calls["led"] = partial(volunteers.get, "/teams/led")
    got = gather(calls)
    figures = got["figures"].result()  # the page's own figures: a refusal or an outage ends the page as before
    led = [t for t in got["led"].result() if t["community_id"] == community_id] if "led" in got else []
    names = {community_id: figures["community_name"]}
    charts = volunteer_charts.target_charts([volunteer_charts.as_month_row(figures)], names, "community")
    missing = []
    if got["signups"].ok:  # the trend only adds to the page: without it the figures still show
        charts.append(("community-signups", volunteer_charts.signups_by_month(got["signups"].value),
                       _("New volunteers registered in each of the last 12 months.")))
    else:
        missing.append(_("New volunteers by month"))
    return render_template("volunteers/staff/community.html", f=figures, community_id=community_id, led=led,
                           is_staff=principal().may("communities.manage"), charts=charts, missing=missing,
                           name_form=CommunityNameForm(formdata=None, data={"name": figures["community_name"]}))


@bp.post("/<community_id>/name")
@permission_required("volunteers.pages")
def name_community(community_id):
    community_id = checked(community_id, CODE)
    form = CommunityNameForm()
    body = present({"name": typed(form.name.data)})
    press(form, lambda: vs().put(f"/communities/{community_id}", json=body), _("Name saved."))
    return redirect(url_for("volunteers.community", community_id=community_id), code=303)


# ---- sign-up links and their QR codes ----------------------------------------------------------------------------

def _links_page(community_id: str, form=None, errors=(), status=200):
    form = form or LinkForm(formdata=None)
    form.team_id.choices = team_choices(community_id, _("The whole community"))
    links = vs().get("/links", params={"community_id": community_id})
    return render_template("volunteers/staff/links.html", links=links, form=form, errors=list(errors),
                           community_id=community_id), status


@bp.get("/<community_id>/links")
@permission_required("volunteers.pages")
def links(community_id):
    return _links_page(checked(community_id, CODE))


@bp.post("/<community_id>/links")
@permission_required("volunteers.pages")
def create_link(community_id):
    community_id = checked(community_id, CODE)
    form = LinkForm()
    body = {"community_id": community_id, "title": typed(form.title.data), "team_id": typed(form.team_id.data),
            "valid_days": typed(form.valid_days.data), "capacity": typed(form.capacity.data)}
    done, errors = attempt(form, lambda: vs().post("/links", json=body))
    if done is None:
        return _links_page(community_id, form, errors, status=422)
    flash(_("Sign-up link made. Print its QR code or share the link."), "ok")
    return redirect(url_for("volunteers.link", link_id=done["id"]), code=303)


@bp.get("/links/<link_id>")
@permission_required("volunteers.pages")
def link(link_id):
    data = vs().get(f"/links/{checked(link_id, OBJECT_ID)}")
    public_url = url_for("vpublic.signup", token=data["token"], _external=True)
    return render_template("volunteers/staff/link.html", l=data, public_url=public_url,
                           capacity_form=CapacityForm(formdata=None, data={"capacity": data["capacity"] or ""}))


@bp.get("/links/<link_id>/qr.<any(svg, png):kind>")
@permission_required("volunteers.pages")
def link_qr(link_id, kind):
    link_id = checked(link_id, OBJECT_ID)
    download = request.args.get("download") == "1"
    return stream(vs().request("GET", f"/links/{link_id}/qr.{kind}", stream=True), filename=f"signup-qr.{kind}",
                  attachment=download)


@bp.post("/links/<link_id>/close")
@permission_required("volunteers.pages")
def close_link(link_id):
    link_id = checked(link_id, OBJECT_ID)
    return button(f"/links/{link_id}/close", _("The link is closed: it takes no more sign-ups."),
                  url_for("volunteers.link", link_id=link_id))


@bp.post("/links/<link_id>/capacity")
@permission_required("volunteers.pages")
def link_capacity(link_id):
    link_id = checked(link_id, OBJECT_ID)
    form = CapacityForm()
    body = {"capacity": typed(form.capacity.data)}  # none: no limit
    press(form, lambda: vs().put(f"/links/{link_id}/capacity", json=body),
          _("Places changed; the waiting list moves up into any new places."))
    return redirect(url_for("volunteers.link", link_id=link_id), code=303)

