"""`resend` for the services whose events other services keep state from: volunteers -> drills (the volunteers
a drill checks in) and drills -> volunteers (helper needs, drill hours). The events are rebuilt from the producer's
documents, sent over the real RabbitMQ to the consumer's queue made after them, and applied by its real handlers
on its own database. Mediation registers none: its events only feed its own notifications (see its worker)."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
from mongoengine import get_db
from prometheus_client import REGISTRY

from services.drills import handlers as drills_handlers
from services.drills import worker as drills_worker
from services.drills.models import Checkin, Drill
from services.drills.models import Volunteer as VolunteerCopy
from services.mediation import worker as mediation_worker
from services.volunteers import handlers as volunteers_handlers
from services.volunteers import worker as volunteers_worker
from services.volunteers.config import SETTINGS as VOLUNTEERS
from services.volunteers.models import Consent, HoursEntry, Need, VolunteerRecord
from shared.config import TestConfig
from shared.db import connect_db
from shared.messaging.bus import EventPublisher
from shared.messaging.consumer import EventConsumer
from shared.messaging.resend import resend
from tests.support import broker

NOW = datetime.now(timezone.utc).replace(microsecond=0)


@pytest.fixture
def configs(mongo_url, amqp_url, run_id):
    made = {"volunteers": TestConfig("volunteers", VOLUNTEERS, mongo_url=mongo_url, run_id=run_id, amqp_url=amqp_url),
            "drills": TestConfig("drills", mongo_url=mongo_url, run_id=run_id, amqp_url=amqp_url)}
    yield made
    for config in made.values():
        connect_db(config)
        get_db().client.drop_database(config.MONGO_DB)
    broker.delete_exchanges(made["volunteers"].EVENT_EXCHANGE, made["volunteers"].EVENT_EXCHANGE + ".dead")


def consumer_of(config, service: str, handlers: dict) -> EventConsumer:
    consumer = EventConsumer(url=config.AMQP_URL, exchange=config.EVENT_EXCHANGE, service=service, handlers=handlers,
                             retry_delays_ms=config.RETRY_DELAYS_MS, queue_prefix=config.QUEUE_PREFIX,
                             queue_expires_ms=config.QUEUE_EXPIRES_MS)
    consumer.declare()  # the queue is new: the events were published before it existed
    return consumer


def send_snapshots(config, service: str, queue: str, snapshots) -> int:
    connect_db(config)
    publisher = EventPublisher(url=config.AMQP_URL, exchange=config.EVENT_EXCHANGE, service=service)
    try:
        return resend(publisher=publisher, url=config.AMQP_URL, queue=queue, snapshots=snapshots)
    finally:
        publisher.close()


def run_until(consumer: EventConsumer, config, condition) -> None:
    """Consume on the consumer's own database until `condition()` holds (or the deadline passes)."""
    connect_db(config)
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, kwargs={"stop": stop}, daemon=True)
    thread.start()
    try:
        broker.wait_until(condition)
    finally:
        stop.set()
        thread.join(5)


def volunteer(n: int, status: str) -> VolunteerRecord:
    v = VolunteerRecord(community_id="C1", grid_id="C1-G1", name=f"志愿者{n}", phone=f"1390000000{n}",
                        phone_key=f"C1|1390000000{n}", skills=["first_aid"], status=status,
                        personal_token_hash=f"hash-{n}", consent=Consent(given_at=NOW, version="1"),
                        left_reason="搬走" if status == "left" else None)
    return v.save()


def test_mediation_registers_no_snapshots():
    assert getattr(mediation_worker, "SNAPSHOTS", None) is None


def test_volunteers_fill_a_new_drills_queue_and_drills_fill_a_new_volunteers_queue(configs):
    vol, dri = configs["volunteers"], configs["drills"]
    connect_db(vol)
    registered, waitlisted, left = volunteer(1, "registered"), volunteer(2, "waitlisted"), volunteer(3, "left")

    # volunteers -> drills: registered and left volunteers, never a waitlisted one
    keep = consumer_of(dri, "drills", {t: fs for t, fs in drills_handlers.HANDLERS.items()
                                       if t[0].startswith("volunteer.")})
    queue = next(iter(keep.table)).queue_name
    assert send_snapshots(vol, "volunteers", queue, volunteers_worker.SNAPSHOTS) == 2

    def copies():
        return {c.pk: c.active for c in VolunteerCopy.objects}

    run_until(keep, dri, lambda: len(copies()) == 2)
    assert copies() == {str(registered.pk): True, str(left.pk): False}
    assert VolunteerCopy.objects.get(pk=str(registered.pk)).name == "志愿者1"
    assert str(waitlisted.pk) not in copies()

    # drills -> volunteers: a coming drill asks for helpers; a completed one credits its check-in's hours
    connect_db(dri)
    coming = Drill(community_id="C1", grid_ids=["C1-G1"], title="防汛演练", hazard="natural_disaster", level="IV",
                   kind="comprehensive", starts_at=NOW + timedelta(days=3), ends_at=NOW + timedelta(days=3, hours=2),
                   helpers_wanted=2, skills=["first_aid"], year=NOW.year)
    done = Drill(community_id="C1", grid_ids=["C1-G1"], title="消防演练", hazard="accident", level="IV",
                 kind="comprehensive", starts_at=NOW - timedelta(days=1, hours=2), ends_at=NOW - timedelta(days=1),
                 year=NOW.year, status="completed", started_at=NOW - timedelta(days=1, hours=2),
                 ended_at=NOW - timedelta(days=1))
    for drill in (coming, done):
        drill.save()
    Checkin(id=f"{done.pk}:{registered.pk}", drill_id=str(done.pk), community_id="C1",
            volunteer_id=str(registered.pk), name="志愿者1", checked_in_at=NOW - timedelta(days=1, hours=2)).save()

    helpers = consumer_of(vol, "volunteers", {t: fs for t, fs in volunteers_handlers.HANDLERS.items()
                                              if t[0].startswith("drill.")})
    queues = sorted({q.queue_name for q in helpers.table})  # one queue per handler: helpers, hours
    assert len(queues) == 2
    for queue in queues:
        assert send_snapshots(dri, "drills", queue, drills_worker.SNAPSHOTS) == 2  # each queue ignores the other type
    run_until(helpers, vol, lambda: Need.objects(drill_id=str(coming.pk)).count() == 1
              and HoursEntry.objects(source_ref=str(done.pk)).count() == 1)
    entry = HoursEntry.objects.get(source_ref=str(done.pk))
    assert (entry.volunteer_id, entry.hours) == (str(registered.pk), 2.0)
    assert Need.objects.get(drill_id=str(coming.pk)).people_wanted == 2
    assert Need.objects(drill_id=str(done.pk)).count() == 0  # no helpers wanted for a drill already held

    # a second run sends the same event ids: the queue's inbox absorbs them, nothing is credited twice
    for queue in queues:
        assert send_snapshots(dri, "drills", queue, drills_worker.SNAPSHOTS) == 2
    run_until(helpers, vol, lambda: sum(duplicates(q, t) for q in queues
                                        for t in ("drill.planned", "drill.completed")) >= 2)
    assert HoursEntry.objects(source_ref=str(done.pk)).count() == 1 and Need.objects.count() == 1


def duplicates(queue: str, event_type: str) -> float:
    return REGISTRY.get_sample_value("grid_events_consumed_total", {
        "service": "volunteers", "queue": queue, "type": event_type, "outcome": "duplicate"}) or 0.0
