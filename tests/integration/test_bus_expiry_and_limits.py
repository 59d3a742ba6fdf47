"""The bus's limits against the real RabbitMQ and the MongoDB stand-in: a database timeout reaches the dead
letters, quorum queues carry their delivery limit, dead-letter queues their cap, event logs expire, and the relay
fails loudly on anything but an event it already logged."""
import subprocess
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from kombu import Producer
from pymongo.errors import BulkWriteError, NetworkTimeout

from shared.events import new_event
from shared.messaging import inbox, sent_log
from shared.messaging.bus import EventPublisher, open_connection
from shared.messaging.consumer import EventConsumer
from shared.messaging.expiry import ensure_event_log_expiry
from tests.support import broker


def grid_event(n=1):
    return new_event("grid.created", version=1, source="test", community_id="C1", grid_id=f"G{n}",
                     data={"grid_id": f"G{n}", "code": f"G{n}", "name": "网格", "community_id": "C1"})


def times_out(event):
    """A handler whose database never answers in time."""
    raise NetworkTimeout("mongo:27017: timed out (configured timeouts: socketTimeoutMS: 10000.0ms)")


def consumer_for(config, handler, **options):
    return EventConsumer(url=config.AMQP_URL, exchange=config.EVENT_EXCHANGE, service="limits",
                         handlers={("grid.created", 1): [handler]}, retry_delays_ms=config.RETRY_DELAYS_MS,
                         queue_prefix=config.QUEUE_PREFIX, queue_expires_ms=config.QUEUE_EXPIRES_MS, **options)


def test_a_handler_that_times_out_is_retried_then_dead_lettered(households_app, households_config):
    consumer = consumer_for(households_config, times_out, database_answers=lambda: False)
    consumer.declare()
    sub = next(iter(consumer.table))
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, kwargs={"stop": stop}, daemon=True)
    thread.start()
    publisher = EventPublisher(url=households_config.AMQP_URL, exchange=households_config.EVENT_EXCHANGE,
                               service="households")
    try:
        began = time.perf_counter()
        publisher.publish(grid_event().to_dict())
        broker.wait_until(lambda: broker.message_count(sub.queue_name + ".dead") == 1, timeout=30)
        took = time.perf_counter() - began
    finally:
        publisher.close()
        stop.set()
        thread.join(5)
    [(_, headers, _)] = broker.drain(sub.queue_name + ".dead")
    assert (headers["x-dead-reason"], headers["x-attempts"]) == ("handler_failed", 3)
    assert "NetworkTimeout" in headers["x-error"]
    assert broker.message_count(sub.queue_name) == 0
    print(f"\n[timeout] a NetworkTimeout event reached {sub.queue_name}.dead in {took:.2f} s "
          f"(retry delays {households_config.RETRY_DELAYS_MS} ms)")


def rabbitmqctl_queue_arguments(prefix: str) -> dict:
    out = subprocess.run(["rabbitmqctl", "-q", "list_queues", "name", "type", "arguments"],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        pytest.fail(f"rabbitmqctl list_queues failed: {out.stderr}")
    return {line.split("\t")[0]: line for line in out.stdout.splitlines() if line.startswith(prefix)}


def test_quorum_queues_are_declared_with_a_delivery_limit_and_a_capped_dead_letter_queue(households_config):
    consumer = consumer_for(households_config, times_out, queue_type="quorum", delivery_limit=7, dead_max=3)
    consumer.declare()
    sub = next(iter(consumer.table))
    with open_connection(households_config.AMQP_URL) as conn:
        channel = conn.default_channel
        try:  # the broker refuses a declare whose arguments differ from the queue's: these are the ones it has
            channel.queue_declare(sub.queue_name, durable=True, auto_delete=False, arguments={
                "x-queue-type": "quorum", "x-delivery-limit": 8, "x-expires": households_config.QUEUE_EXPIRES_MS,
                "x-dead-letter-exchange": households_config.EVENT_EXCHANGE + ".dead",
                "x-dead-letter-routing-key": sub.queue_name})
            pytest.fail("the queue accepted a different delivery limit")
        except conn.channel_errors as exc:
            assert "x-delivery-limit" in str(exc)
    queues = rabbitmqctl_queue_arguments(sub.queue_name)
    assert "quorum" in queues[sub.queue_name] and "x-delivery-limit" in queues[sub.queue_name]
    dead = queues[sub.queue_name + ".dead"]
    assert "quorum" in dead and "x-max-length" in dead and "drop-head" in dead
    # the cap holds: the oldest dead letters are dropped first
    with open_connection(households_config.AMQP_URL) as conn:
        producer = Producer(conn.default_channel)
        for n in range(5):
            producer.publish(str(n).encode(), exchange=households_config.EVENT_EXCHANGE + ".dead",
                             routing_key=sub.queue_name, retry=False)
    broker.wait_until(lambda: broker.message_count(sub.queue_name + ".dead") == 3)
    assert [body for body, _, _ in broker.drain(sub.queue_name + ".dead")] == [b"2", b"3", b"4"]
    assert consumer.dead_letter_depths() == {sub.queue_name + ".dead": 0}
    with open_connection(households_config.AMQP_URL) as conn:
        for name in queues:
            conn.default_channel.queue_delete(name)


def test_the_event_logs_get_ttl_indexes_of_the_configured_days(households_app):
    ensure_event_log_expiry(days=30)
    ensure_event_log_expiry(days=7)  # a changed setting changes the index in place
    ensure_event_log_expiry(days=7)
    processed = inbox.ProcessedEvent._get_collection().index_information()
    logged = sent_log.collection().index_information()
    assert processed["claimed_at_1"]["expireAfterSeconds"] == 7 * 86400
    assert logged["sent_at_1"]["expireAfterSeconds"] == 7 * 86400


def test_a_claim_left_by_a_killed_worker_is_taken_over_after_its_lease_and_done_is_final(households_app):
    key = {"consumer": "q", "event_id": "e-1"}
    assert inbox.claim(**key, event_type="grid.created", owner="killed", lease_s=60) == inbox.CLAIMED
    assert inbox.claim(**key, event_type="grid.created", owner="other", lease_s=60) == inbox.BUSY
    inbox.ProcessedEvent._get_collection().update_one(key, {"$set": {
        "claimed_at": datetime.now(timezone.utc) - timedelta(seconds=61)}})  # the killed worker stopped renewing
    assert inbox.claim(**key, event_type="grid.created", owner="other", lease_s=60) == inbox.CLAIMED
    inbox.finish(**key, owner="killed")  # too late: no longer its claim
    assert not inbox.already_processed(**key)
    inbox.finish(**key, owner="other")
    assert inbox.already_processed(**key)
    assert inbox.claim(**key, event_type="grid.created", owner="third", lease_s=0) == inbox.DONE


def test_a_renewed_claim_is_not_taken_over(households_app):
    key = {"consumer": "q", "event_id": "e-2"}
    assert inbox.claim(**key, event_type="grid.created", owner="slow", lease_s=0.6) == inbox.CLAIMED
    keeper, stop = inbox.LeaseKeeper(lease_s=0.6), threading.Event()
    keeper.hold("q", "e-2", "slow")
    keeper.start(stop)
    try:
        deadline = time.monotonic() + 1.5  # well past the lease: the renewals keep it
        while time.monotonic() < deadline:
            assert inbox.claim(**key, event_type="grid.created", owner="other", lease_s=0.6) == inbox.BUSY
            time.sleep(0.1)
    finally:
        stop.set()


def test_the_sent_log_ignores_an_event_already_logged_but_raises_on_any_other_write_error(households_app):
    now = datetime.now(timezone.utc)
    first = sent_log.entry(event_id="e-1", event_type="grid.created", aggregate="grids", aggregate_id="G1",
                           sent_at=now)
    sent_log.record([first])
    sent_log.record([first])  # a pass that crashed before pulling its events logs them again: fine
    sent_log.collection().database.command("collMod", "outbox_sent", validator={"type": {"$type": "string"}},
                                           validationLevel="strict", validationAction="error")
    try:
        with pytest.raises(BulkWriteError):
            sent_log.record([first, {**first, "_id": "e-2", "type": 5}])
    finally:
        sent_log.collection().database.command("collMod", "outbox_sent", validator={}, validationLevel="off")


def test_event_logs_of_an_older_release_come_under_the_ttl_and_lose_their_envelopes(households_app):
    """Inbox records from before claims have no claimed_at (the TTL field), so they would never expire; sent-log
    entries from before references-only hold the published envelope (names, care tags). Starting fixes both."""
    records, sent = inbox.ProcessedEvent._get_collection(), sent_log.collection()
    processed_at = datetime(2026, 9, 1, 8, 30, tzinfo=timezone.utc)
    records.insert_many([
        {"consumer": "old", "event_id": "o-1", "event_type": "grid.created", "processed_at": processed_at},
        {"consumer": "old", "event_id": "o-2", "event_type": "grid.created"},  # not even processed_at
    ])
    assert inbox.claim(consumer="new", event_id="n-1", event_type="grid.created", owner="w", lease_s=60) \
        == inbox.CLAIMED
    claimed = records.find_one({"event_id": "n-1"})
    envelope = grid_event().to_dict() | {"data": {"name": "张秀英", "care_tags": ["disability"]}}
    sent.insert_one({"_id": "s-old", "type": "household.registered", "envelope": envelope,
                     "sent_at": processed_at})
    sent_log.record([sent_log.entry(event_id="s-new", event_type="grid.created", aggregate="grids",
                                    aggregate_id="G1", sent_at=processed_at)])

    ensure_event_log_expiry(days=30)
    ensure_event_log_expiry(days=30)  # idempotent: a second start finds nothing to do

    old = records.find_one({"event_id": "o-1"})
    assert (old["claimed_at"].replace(tzinfo=timezone.utc), old["state"]) == (processed_at, inbox.DONE)
    undated = records.find_one({"event_id": "o-2"})
    assert undated["state"] == inbox.DONE and undated["claimed_at"] is not None
    assert records.count_documents({"claimed_at": None}) == 0
    assert records.find_one({"event_id": "n-1"}) == claimed  # a live claim is left as it is
    assert inbox.already_processed(consumer="old", event_id="o-1")
    assert sent.count_documents({"envelope": {"$exists": True}}) == 0
    assert sent.find_one({"_id": "s-old"}) == {"_id": "s-old", "type": "household.registered",
                                                "sent_at": processed_at}
    assert "张秀英" not in str(list(sent.find({})))
    assert records.index_information()["claimed_at_1"]["expireAfterSeconds"] == 30 * 86400
