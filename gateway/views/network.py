"""A grid's four-in-one network page (四位一体: 居委会、居民小组、楼栋长、网格员) and ten-household groups (十联户):
its buildings with their heads, its groups with their lead households, its community's residents' groups; grid
workers and community staff set them with plain forms (no scripts), a building at a time."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from gateway.auth import permission_required, principal
from gateway.calls import CODE, NO_STORE, OBJECT_ID, attempt, checked, flash_outcome, present, service
from gateway.forms.common import PostForm, digits
from gateway.forms.network import BuildingHeadForm, ResidentsGroupForm, TenGroupForm
from gateway.forms.register import RevealForm
from gateway.views.entries import typed

bp = Blueprint("network", __name__)


def hh():
    return service("households")


def _building() -> str | None:
    """The building chosen in the query (a building's name as the register spells it), or None."""
    value = (request.args.get("building") or "").strip()
    return value if value and len(value) <= 40 and value.isprintable() else None


def _page(grid_id: str, building: str | None, *, head_form=None, group_form=None, rg_form=None, errors=(),
          status: int = 200, revealed: dict | None = None):
    net = hh().get(f"/grids/{grid_id}/network", params={"building": building} if building else None)
    p = principal()
    can_manage = p.may("network.manage")
    homes = net["households"]
    if building and can_manage:
        head_form = head_form or BuildingHeadForm(formdata=None, prefix="head")
        head_form.resident_id.choices = [SelectChoice(r["resident_id"], f'{r["name"]} · {h["label"]}')
                                         for h in homes for r in h["residents"]]
        group_form = group_form or TenGroupForm(formdata=None, prefix="group")
        free = [SelectChoice(h["household_id"], h["label"]) for h in homes if not h["group_id"]]
        group_form.household_ids.choices = free
        group_form.lead_household_id.choices = [SelectChoice("", "—")] + free
    can_manage_groups = can_manage and p.covers(community_id=net["community_id"], grid_id=None)
    if can_manage_groups:
        rg_form = rg_form or ResidentsGroupForm(formdata=None, prefix="rg")
        rg_form.buildings.choices = [SelectChoice(b["building"], b["building"]) for b in net["buildings"]]
    head = next((b["head"] for b in net["buildings"] if b["building"] == building), None) if building else None
    return render_template(
        "network.html", net=net, building=building, head=head, head_form=head_form, group_form=group_form,
        rg_form=rg_form, errors=list(errors), can_manage=can_manage, can_reveal=p.may("register.reveal"),
        reveal_form=RevealForm(formdata=None), revealed=revealed, post_form=PostForm()), status, NO_STORE


def _back(grid_id: str, building: str | None = None):
    return redirect(url_for("network.grid_network", grid_id=grid_id, building=building) + "#b", code=303)


@bp.get("/grids/<grid_id>/network")
@permission_required("register.read")
def grid_network(grid_id):
    return _page(checked(grid_id, CODE), _building())


@bp.post("/grids/<grid_id>/network/head")
@permission_required("network.manage")
def set_head(grid_id):
    grid_id, building = checked(grid_id, CODE), _building()
    if not building:
        return _back(grid_id)
    form = BuildingHeadForm(prefix="head")
    form.resident_id.choices = []
    if not form.validate_on_submit():
        return _page(grid_id, building, head_form=form, status=422)
    body = present({"building": building, "resident_id": typed(form.resident_id.data), "name": typed(form.name.data),
                    "phone": digits(form.phone.data) or None})
    done, errors = attempt(form, lambda: hh().put(f"/grids/{grid_id}/building-heads", json=body))
    if done is None:
        return _page(grid_id, building, head_form=form, errors=errors, status=422)
    flash(_("Building head of %(building)s saved: %(name)s.", building=building, name=done["name"]), "ok")
    return _back(grid_id, building)


@bp.post("/grids/<grid_id>/network/heads/<head_id>/remove")
@permission_required("network.manage")
def remove_head(grid_id, head_id):
    grid_id, head_id = checked(grid_id, CODE), checked(head_id, OBJECT_ID)
    PostForm().validate_on_submit()  # CSRFProtect has checked the token already
    flash_outcome(lambda: hh().call("DELETE", f"/building-heads/{head_id}"), _("The building has no head now."))
    return _back(grid_id, _building())


@bp.post("/grids/<grid_id>/network/heads/<head_id>/reveal")
@permission_required("register.reveal")
def reveal_head(grid_id, head_id):
    grid_id, head_id = checked(grid_id, CODE), checked(head_id, OBJECT_ID)
    form = RevealForm()
    revealed, errors = None, []
    if form.validate_on_submit():
        revealed, errors = attempt(form, lambda: hh().post(f"/building-heads/{head_id}/reveal",
                                                           json=present({"reason": typed(form.reason.data)})))
    if revealed is None:
        for message in errors or [_("Say why you need the phone in full.")]:
            flash(message, "error")
        return _back(grid_id, _building())
    return _page(grid_id, revealed["building"], revealed=revealed)


@bp.post("/grids/<grid_id>/network/groups")
@permission_required("network.manage")
def create_group(grid_id):
    grid_id, building = checked(grid_id, CODE), _building()
    form = TenGroupForm(prefix="group")
    if not form.validate_on_submit():
        return _page(grid_id, building, group_form=form, status=422)
    members = [i for i in form.household_ids.data or [] if OBJECT_ID.match(i)]
    body = {"name": form.name.data.strip(), "household_ids": members,
            "lead_household_id": form.lead_household_id.data or ""}
    done, errors = attempt(form, lambda: hh().post(f"/grids/{grid_id}/ten-groups", json=body))
    if done is None:
        return _page(grid_id, building, group_form=form, errors=errors, status=422)
    flash(_("Ten-household group %(name)s formed.", name=done["name"]), "ok")
    return _back(grid_id, building)


@bp.post("/grids/<grid_id>/network/groups/<group_id>/lead")
@permission_required("network.manage")
def choose_lead(grid_id, group_id):
    """A new lead household among the group's members (after the lead moved out, or by agreement)."""
    grid_id, group_id = checked(grid_id, CODE), checked(group_id, OBJECT_ID)
    group = hh().get(f"/ten-groups/{group_id}")
    lead = request.form.get("lead_household_id") or ""
    body = {"name": group["name"], "household_ids": group["household_ids"], "lead_household_id": lead,
            "version": group["version"]}
    flash_outcome(lambda: hh().put(f"/ten-groups/{group_id}", json=body),
                  _("Lead household of %(name)s chosen.", name=group["name"]))
    return _back(grid_id, _building())


@bp.post("/grids/<grid_id>/network/groups/<group_id>/dissolve")
@permission_required("network.manage")
def dissolve_group(grid_id, group_id):
    grid_id, group_id = checked(grid_id, CODE), checked(group_id, OBJECT_ID)
    PostForm().validate_on_submit()
    flash_outcome(lambda: hh().call("DELETE", f"/ten-groups/{group_id}"), _("The group has been dissolved."))
    return _back(grid_id, _building())


@bp.post("/grids/<grid_id>/network/residents-groups")
@permission_required("network.manage")
def create_residents_group(grid_id):
    grid_id = checked(grid_id, CODE)
    net = hh().get(f"/grids/{grid_id}")
    form = ResidentsGroupForm(prefix="rg")
    form.buildings.choices = []
    if not form.validate_on_submit():
        return _page(grid_id, _building(), rg_form=form, status=422)
    body = present({"number": form.number.data, "name": form.name.data.strip(),
                    "buildings": list(form.buildings.data or []), "leader_name": typed(form.leader_name.data),
                    "leader_phone": digits(form.leader_phone.data) or None})
    done, errors = attempt(form, lambda: hh().post(f"/communities/{net['community_id']}/residents-groups", json=body))
    if done is None:
        return _page(grid_id, _building(), rg_form=form, errors=errors, status=422)
    flash(_("Residents' group %(name)s saved.", name=done["name"]), "ok")
    return _back(grid_id, _building())
