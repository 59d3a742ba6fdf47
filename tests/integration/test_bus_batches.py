"""The bus's batches against the real RabbitMQ and database: the relay marks sent only what the broker confirmed
(a nack or a connection lost before the confirms leaves the event in its outbox for the next pass; a pass cut
between its two writes does not stall the next ones), and the consumer writes its inbox's done marks in one round
trip per batch."""
import json
import threading

import mongoengine as me
import pytest
from kombu import Exchange, Queue
from pymongo import MongoClient, monitoring
from pymongo.errors import NetworkTimeout

from shared.events import new_event
from shared.messaging import inbox, sent_log
from shared.messaging.bus import EventPublisher, open_connection
from shared.messaging.consumer import EventConsumer
from shared.messaging.outbox import Aggregate, commit
from shared.messaging.relay import OutboxRelay
from tests.support import broker


class Parcel(Aggregate):
    """An aggregate of this test only: one event in each one's outbox."""

    name = me.StringField()
    meta = {"collection": "bus_batch_parcels"}


def grid_event(n):
    return new_event("grid.created", version=1, source="test", community_id="C1", grid_id=f"G{n}",
                     data={"grid_id": f"G{n}", "code": f"G{n}", "name": "网格", "community_id": "C1"})


def store(count: int) -> list[str]:
    """`count` parcels, each with one event in its outbox; the events' ids."""
    events = [grid_event(n) for n in range(count)]
    for n, event in enumerate(events):
        commit(Parcel(name=f"p{n}"), event)
    return [e.id for e in events]


def logged() -> list[str]:
    return [row["_id"] for row in sent_log.collection().find({}, {"_id": 1})]


def waiting() -> set[str]:
    return {entry.id for parcel in Parcel.objects for entry in parcel.outbox}


def drained_ids(queue: str) -> list[str]:
    return [json.loads(body)["id"] for body, _, _ in broker.drain(queue)]


@pytest.fixture
def publisher(households_config):
    pub = EventPublisher(url=households_config.AMQP_URL, exchange=households_config.EVENT_EXCHANGE,
                         service="households", timeout_s=2)
    yield pub
    pub.close()


def bounded_queue(config, length: int) -> str:
    """A queue for grid.created that takes `length` messages; the broker nacks a publish past that."""
    name = f"{config.QUEUE_PREFIX}bounded"
    with open_connection(config.AMQP_URL) as conn:
        exchange = Exchange(config.EVENT_EXCHANGE, type="topic", durable=True)
        exchange(conn.default_channel).declare()
        Queue(name, exchange=exchange, routing_key="grid.created", durable=True,
              queue_arguments={"x-max-length": length, "x-overflow": "reject-publish",
                               "x-expires": 600_000})(conn.default_channel).declare()
    return name


def test_the_relay_marks_sent_only_what_the_broker_acked_and_sends_the_rest_later(households_app, households_config,
                                                                                   publisher):
    queue = bounded_queue(households_config, 2)
    ids = store(5)
    relay = OutboxRelay(documents=[Parcel], publisher=publisher, service="households", batch=10)
    assert relay.run_once() == 2  # one batch of 5; the broker nacked the 3 that did not fit
    first = drained_ids(queue)
    assert sorted(logged()) == sorted(first) and len(first) == 2
    assert waiting() == set(ids) - set(first)
    delivered = first
    while waiting():
        assert relay.run_once() >= 1
        delivered += drained_ids(queue)
    assert sorted(delivered) == sorted(ids)  # each once: nothing marked sent was sent again
    assert sorted(logged()) == sorted(ids) and relay.backlog() == 0


def test_a_connection_lost_before_the_confirms_marks_nothing_unconfirmed_sent(households_app, households_config,
                                                                              publisher, monkeypatch):
    queue = bounded_queue(households_config, 100)
    ids = store(5)
    relay = OutboxRelay(documents=[Parcel], publisher=publisher, service="households", batch=10)
    wait = publisher._wait_for_confirms
    confirmed_before_the_cut = []

    def broker_gone_before_the_last_confirms():
        # the batch went out; py-amqp read the confirms that came while it was sending, no other one will come
        confirmed_before_the_cut.append(sum(publisher._confirms.outcome.values()))
        monkeypatch.setattr(publisher._connection, "drain_events", lost)
        wait()

    def lost(**kwargs):
        raise ConnectionResetError("connection reset by peer")

    monkeypatch.setattr(publisher, "_wait_for_confirms", broker_gone_before_the_last_confirms)
    sent = relay.run_once()
    [confirmed] = confirmed_before_the_cut
    assert sent == len(logged()) == confirmed < 5  # the last publish's confirm at least was never read
    assert waiting() == set(ids) - set(logged())
    monkeypatch.undo()
    assert relay.run_once() == 5 - confirmed and waiting() == set()
    assert sorted(logged()) == sorted(ids)
    assert set(drained_ids(queue)) == set(ids)  # some perhaps twice: the consumers' inboxes absorb the repeat


class ClearTimesOut:
    """A collection whose first update_many times out: the database, busy (an import releasing its events), drops
    the relay's second write after taking its first."""

    def __init__(self, collection):
        self.collection, self.timed_out = collection, False

    def __getattr__(self, name):
        return getattr(self.collection, name)

    def update_many(self, *args, **kwargs):
        if not self.timed_out:
            self.timed_out = True
            raise NetworkTimeout("127.0.0.1: timed out (configured timeouts: socketTimeoutMS: 10000.0ms)")
        return self.collection.update_many(*args, **kwargs)


def test_a_pass_cut_between_pulling_its_events_and_clearing_their_flags_does_not_stall_the_relay(
        households_app, households_config, publisher, monkeypatch):
    queue = bounded_queue(households_config, 100)
    ids = store(7)
    relay = OutboxRelay(documents=[Parcel], publisher=publisher, service="households", batch=3)
    flaky = ClearTimesOut(Parcel._get_collection())
    monkeypatch.setattr(Parcel, "_get_collection", classmethod(lambda cls: flaky))
    with pytest.raises(NetworkTimeout):
        relay.run_once()    # the first 3 published, logged and pulled; their flags left set
    first = drained_ids(queue)
    assert len(first) == 3 and waiting() == set(ids) - set(first)
    assert Parcel.objects(outbox_pending=True).count() == 7

    delivered = list(first)
    for _ in range(4):  # the flags left set once filled every batch: nothing more was ever sent
        relay.run_once()
        delivered += drained_ids(queue)
    assert sorted(delivered) == sorted(ids) and waiting() == set()
    assert Parcel.objects(outbox_pending=True).count() == 0 and relay.backlog() == 0


class InboxCommands(monitoring.CommandListener):
    """Counts the database commands sent to the inbox's collection."""

    def __init__(self):
        self.names: list[str] = []

    def started(self, event):
        if event.command.get(event.command_name) == "processed_events":
            self.names.append(event.command_name)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def test_the_inbox_costs_one_round_trip_per_event_and_a_fraction_for_the_done_marks(households_app,
                                                                                      households_config, publisher,
                                                                                      monkeypatch):
    events = 40
    commands = InboxCommands()
    watched = MongoClient(households_config.MONGO_URL, event_listeners=[commands], tz_aware=True)
    monkeypatch.setattr(inbox, "_records", lambda: watched[households_config.MONGO_DB]["processed_events"])
    handled = []
    consumer = EventConsumer(url=households_config.AMQP_URL, exchange=households_config.EVENT_EXCHANGE,
                             service="batches", handlers={("grid.created", 1): [handled.append]},
                             retry_delays_ms=households_config.RETRY_DELAYS_MS, prefetch=events,
                             queue_prefix=households_config.QUEUE_PREFIX,
                             queue_expires_ms=households_config.QUEUE_EXPIRES_MS)
    consumer.declare()
    queue = next(iter(consumer.table)).queue_name
    sent = [grid_event(n).to_dict() for n in range(events)]
    for envelope in [*sent, sent[0]]:  # the first one twice: skipped as a duplicate
        publisher.publish(envelope)
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, kwargs={"stop": stop}, daemon=True)
    thread.start()
    try:
        records = me.get_db()["processed_events"]  # not through the watched client
        broker.wait_until(lambda: records.count_documents({"consumer": queue, "state": "done"}) == events
                          and broker.message_count(queue) == 0)
    finally:
        stop.set()
        thread.join(5)
        watched.close()
    inserts, updates = commands.names.count("insert"), commands.names.count("update")
    print(f"\n[inbox] {events} events + 1 duplicate: {inserts} claims, {updates} done-mark writes, "
          f"{len(commands.names) / events:.2f} commands per event")
    assert len(handled) == events and inserts == events + 1
    assert 1 <= updates <= events // 4  # batches of 20, a few cut short when deliveries paused; before: 40
    assert len(commands.names) - inserts - updates <= 1  # the duplicate's read
