"""The events the volunteers service publishes, built from its documents (no phone or ID numbers)."""
from shared.events import Event, new_event

SOURCE = "volunteers"


def _snapshot(v) -> dict:
    return {"volunteer_id": str(v.pk), "community_id": v.community_id, "grid_id": v.grid_id, "name": v.name,
            "skills": list(v.skills), "team_ids": list(v.team_ids)}


def volunteer_registered(v) -> Event:
    return new_event("volunteer.registered", version=1, data=_snapshot(v), source=SOURCE, community_id=v.community_id,
                     grid_id=v.grid_id)


def volunteer_updated(v) -> Event:
    return new_event("volunteer.updated", version=1, data=_snapshot(v), source=SOURCE, community_id=v.community_id,
                     grid_id=v.grid_id)


def volunteer_left(v) -> Event:
    return new_event("volunteer.left", version=1, source=SOURCE, community_id=v.community_id, grid_id=v.grid_id,
                     data={"volunteer_id": str(v.pk), "community_id": v.community_id, "reason": v.left_reason})


def team_created(team) -> Event:
    return new_event("team.created", version=1, source=SOURCE, community_id=team.community_id, data={
        "team_id": str(team.pk), "community_id": team.community_id, "name": team.name,
        "leader_ids": list(team.leader_ids)})


def need_opened(need) -> Event:
    return new_event("need.opened", version=1, source=SOURCE, community_id=need.community_id, grid_id=need.grid_id, data={
        "need_id": str(need.pk), "community_id": need.community_id, "grid_id": need.grid_id, "kind": need.kind,
        "title": need.title, "skills": list(need.skills), "people_wanted": need.people_wanted,
        "starts_at": need.starts_at.isoformat(), "ends_at": need.ends_at.isoformat() if need.ends_at else None,
        "recurrence": need.recurrence, "every_days": need.every_days, "team_ids": list(need.team_ids), "drill_id": need.drill_id,
        "care_tag": need.care.tag if need.care else None})


def need_filled(need) -> Event:
    return new_event("need.filled", version=1, source=SOURCE, community_id=need.community_id, grid_id=need.grid_id, data={
        "need_id": str(need.pk), "community_id": need.community_id,
        "volunteer_ids": [a.volunteer_id for a in need.active_assignments()]})


def hours_recorded(entry) -> Event:
    return new_event("hours.recorded", version=1, source=SOURCE, community_id=entry.community_id, data={
        "entry_id": str(entry.pk), "volunteer_id": entry.volunteer_id, "community_id": entry.community_id,
        "team_id": entry.team_id, "source": entry.source, "source_ref": entry.source_ref,
        "served_on": entry.served_on.isoformat(), "hours": entry.hours, "delta": entry.delta,
        "corrects": entry.corrects})


def certificate_issued(cert) -> Event:
    return new_event("certificate.issued", version=1, source=SOURCE, community_id=cert.community_id, data={
        "certificate_id": str(cert.pk), "serial": cert.serial, "volunteer_id": cert.volunteer_id,
        "community_id": cert.community_id, "period_from": cert.period_from.isoformat(),
        "period_to": cert.period_to.isoformat(), "hours": cert.hours})
