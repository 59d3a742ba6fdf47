"""A request for help at the service desk opens a volunteer need, over the real RabbitMQ: the mediation service's
case.help_requested opens it once (even sent twice), case.closed or case.archived of the request closes it, and a
help_requested that arrives after the close opens nothing."""
from datetime import date, datetime, timezone

from bson import ObjectId

from services.mediation import events as mediation_events
from services.mediation.models import Dispute, HelpRequest, Survey
from services.volunteers import handlers
from services.volunteers.models import Need
from shared import clock
from tests.support import broker

from .test_volunteers_events import consumed, send_twice


def request_case(*, number="2026-QZ-0001", kind="request", needed_by=None, household="h-7", help="groceries"):
    """A request as the mediation service holds it (not stored: only its events travel)."""
    d = Dispute(id=ObjectId(), kind=kind, number=number, community_id="C1", grid_id="C1-G1", category="daily_help",
                urgency="normal", status="registered", owner_id="gw-1", due_on=date(2026, 12, 15))
    d.help_request = HelpRequest(help=help, summary="老人腿脚不便，每周需要代买一次菜。", household_id=household,
                                 needed_by=needed_by, at=datetime.now(timezone.utc), by="gw-1")
    return d


def closed(d):
    d.status, d.closed_on = "closed", clock.today()
    d.survey = Survey(open_until=clock.today(), issued_at=datetime.now(timezone.utc))
    return mediation_events.closed(d, "s-c1")


def archived(d):
    d.status, d.archive_number, d.archived_on = "archived", "2026-GD-0001", clock.today()
    return mediation_events.archived(d, "s-c1")


def test_a_request_for_help_opens_one_need_and_its_close_closes_it(vc, staff, places, worker, publisher, vol_config):
    d = request_case(needed_by=date(2026, 12, 20))
    asked = mediation_events.help_requested(d, "gw-1")
    send_twice(publisher, asked)
    broker.wait_until(lambda: consumed(vol_config, "case_needs", "case.help_requested", "duplicate") >= 1)
    handlers.case_needs(asked.load())  # run again as after a crash before the inbox record: still one need
    [need] = Need.objects(kind="request")
    assert (need.community_id, need.grid_id, need.status, need.people_wanted) == ("C1", "C1-G1", "open", 1)
    assert need.title == "买菜代购：2026-QZ-0001" and need.description == "老人腿脚不便，每周需要代买一次菜。"
    assert (need.case.case_id, need.case.household_id) == (str(d.pk), "h-7")
    assert clock.local(need.starts_at).date() == date(2026, 12, 20)
    # staff see it among the community's needs, by kind, without any name or phone of the resident
    listed = vc.get("/needs?community_id=C1&kind=request", headers=staff).json["items"]
    assert [n["case"]["number"] for n in listed] == ["2026-QZ-0001"]
    broker.wait_until(lambda: Need.objects.get(pk=need.pk).outbox == [])  # need.opened went out

    publisher.publish(closed(d).to_dict())
    broker.wait_until(lambda: Need.objects.get(pk=need.pk).status == "closed")
    assert Need.objects.get(pk=need.pk).closed_reason == "求助已办结"
    # archived after the close: nothing more to close, still one need
    publisher.publish(archived(d).to_dict())
    broker.wait_until(lambda: consumed(vol_config, "case_needs", "case.archived", "processed") >= 1)
    assert Need.objects(kind="request").count() == 1 and Need.objects.get(pk=need.pk).status == "closed"


def test_a_late_help_request_after_the_close_opens_nothing(places, worker, publisher, vol_config):
    d = request_case(number="2026-QZ-0002", needed_by=None, help="repair")
    asked = mediation_events.help_requested(d, "gw-1")
    publisher.publish(closed(d).to_dict())
    publisher.publish(asked.to_dict())
    broker.wait_until(lambda: consumed(vol_config, "case_needs", "case.help_requested", "processed") >= 1)
    assert Need.objects(kind="request").count() == 0
    # the same for a case that was archived before its help request arrived
    e = request_case(number="2026-QZ-0003")
    publisher.publish(archived(e).to_dict())
    publisher.publish(mediation_events.help_requested(e, "gw-1").to_dict())
    broker.wait_until(lambda: consumed(vol_config, "case_needs", "case.help_requested", "processed") >= 2)
    assert Need.objects(kind="request").count() == 0


def test_an_incident_closing_touches_no_need_and_a_help_request_without_a_date_starts_today(places, worker,
                                                                                           publisher, vol_config):
    d = request_case(number="2026-QZ-0004", help="escort", household=None)
    publisher.publish(mediation_events.help_requested(d, "gw-1").to_dict())
    broker.wait_until(lambda: Need.objects(kind="request", status="open").count() == 1)
    need = Need.objects.get(kind="request")
    assert need.title == "陪同就医/出行：2026-QZ-0004" and need.case.household_id is None
    assert clock.local(need.starts_at).date() == clock.today()
    # an incident of the same id space closing: not a request, its need (if any) stays as it is
    incident = request_case(number="2026-SJ-0001", kind="incident")
    incident.id = d.id
    publisher.publish(closed(incident).to_dict())
    broker.wait_until(lambda: consumed(vol_config, "case_needs", "case.closed", "processed") >= 1)
    assert Need.objects.get(pk=need.pk).status == "open"
