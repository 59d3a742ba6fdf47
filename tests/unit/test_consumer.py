"""The consumer's decisions with fakes: no broker, no database."""
import functools
import json
import logging
from types import SimpleNamespace

import pytest
from pymongo.errors import AutoReconnect, NetworkTimeout, ServerSelectionTimeoutError

from shared.errors import NotYet
from shared.events import new_event
from shared.messaging.consumer import EventConsumer, subscriptions
from shared.messaging.topology import Subscription, dead_queue, main_queue, retry_queue


class FakeInbox:
    """The inbox's contract in memory: claim before the handler, finish after, release on failure."""

    def __init__(self):
        self.records = {}  # (consumer, event_id) -> [state, owner]
        self.round_trips = 0  # database commands the real inbox would send

    def claim(self, *, consumer, event_id, event_type, owner, lease_s):
        self.round_trips += 1
        held = self.records.setdefault((consumer, event_id), ["claimed", owner])
        if held[0] == "done":
            return "done"
        return "claimed" if held[1] == owner else "busy"

    def finish_many(self, claims):
        self.round_trips += 1
        for c in claims:
            self.records[(c["consumer"], c["event_id"])] = ["done", c["owner"]]

    def release(self, *, consumer, event_id, owner):
        self.records.pop((consumer, event_id), None)

    def renew(self, **kwargs):
        pass


class FakeProducer:
    def __init__(self):
        self.sent = []

    def publish(self, body, **kwargs):
        self.sent.append((kwargs["routing_key"], kwargs.get("headers", {})))


class FakeMessage:
    content_type = "application/json"
    content_encoding = "utf-8"

    def __init__(self, body, headers=None):
        self.body, self.headers, self.acked, self.requeued = body, headers or {}, False, False

    def ack(self):
        self.acked = True

    def requeue(self):
        self.requeued = True


def consumer_with(handler, driver="amqp", database_answers=lambda: True, prefetch=100):
    consumer = EventConsumer(url="memory://", exchange="ev", service="svc",
                             handlers={("grid.created", 1): [handler]}, retry_delays_ms=[10, 20], inbox=FakeInbox(),
                             outage_wait_s=0.05, database_answers=database_answers, prefetch=prefetch)
    consumer._producer = FakeProducer()
    consumer.connection = SimpleNamespace(transport=SimpleNamespace(driver_type=driver))
    return consumer, next(iter(consumer.table))


def body():
    return json.dumps(new_event("grid.created", version=1, source="t", data={
        "grid_id": "G", "code": "G", "name": "n", "community_id": "C"}).to_dict()).encode()


def test_one_queue_per_handler_bound_to_its_event_types():
    def a(e): ...
    def b(e): ...
    subs = subscriptions("svc", {("x.created", 1): [a, b], ("x.moved", 1): [a]})
    assert {(s.queue_name, s.patterns) for s in subs} == {("svc.a", ("x.created", "x.moved")), ("svc.b", ("x.created",))}


def test_a_handler_given_as_a_partial_per_type_is_still_one_queue():
    def recount(e, *, cadence_days): ...
    subs = subscriptions("svc", {t: [functools.partial(recount, cadence_days=30)] for t in (("x.created", 1), ("x.moved", 1))})
    assert [(s.queue_name, s.patterns) for s in subs] == [("svc.recount", ("x.created", "x.moved"))]


def test_a_type_the_handler_does_not_take_is_acked_without_calling_it():
    calls = []
    consumer, sub = consumer_with(calls.append)
    other = json.dumps(new_event("volunteer.left", version=1, source="t", data={
        "volunteer_id": "v", "community_id": "C", "left_on": "2026-11-23"}).to_dict()).encode()
    message = FakeMessage(other)
    consumer.handle(sub, calls.append, message)
    assert calls == [] and message.acked and consumer._producer.sent == []


def test_success_is_acked_once_and_a_redelivery_has_no_effect():
    calls = []
    consumer, sub = consumer_with(calls.append)
    payload = body()
    first, second = FakeMessage(payload), FakeMessage(payload)
    consumer.handle(sub, calls.append, first)
    assert not first.acked  # waits for its batch's done mark; the redelivery writes it first, then is a duplicate
    consumer.handle(sub, calls.append, second)
    assert len(calls) == 1 and first.acked and second.acked


def test_a_failure_goes_to_the_next_retry_queue_then_to_the_dead_letters():
    def boom(event):
        raise ValueError("no")

    consumer, sub = consumer_with(boom)
    consumer.handle(sub, boom, FakeMessage(body()))
    consumer.handle(sub, boom, FakeMessage(body(), {"x-attempts": 1}))
    consumer.handle(sub, boom, FakeMessage(body(), {"x-attempts": 2}))
    keys = [key for key, _ in consumer._producer.sent]
    assert keys == ["svc.boom.retry.0", "svc.boom.retry.1", "svc.boom"]
    assert consumer._producer.sent[-1][1]["x-dead-reason"] == "handler_failed"


def test_an_event_that_came_early_is_retried_quietly_then_dead_lettered_like_a_failure(caplog):
    def early(event):
        raise NotYet("household h-1 is not known yet")

    consumer, sub = consumer_with(early)
    with caplog.at_level(logging.INFO, logger="shared.messaging.consumer"):
        consumer.handle(sub, early, FakeMessage(body()))
        consumer.handle(sub, early, FakeMessage(body(), {"x-attempts": 1}))
    assert [key for key, _ in consumer._producer.sent] == ["svc.early.retry.0", "svc.early.retry.1"]
    retried = [r for r in caplog.records if r.getMessage() == "event arrived early; retrying"]
    assert [(r.levelno, r.exc_info, r.attempt) for r in retried] == [(logging.INFO, None, 1), (logging.INFO, None, 2)]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    consumer.handle(sub, early, FakeMessage(body(), {"x-attempts": 2}))
    key, headers = consumer._producer.sent[-1]
    assert (key, headers["x-dead-reason"]) == ("svc.early", "handler_failed")


def test_poison_is_dead_lettered_without_calling_the_handler():
    calls = []
    consumer, sub = consumer_with(calls.append)
    message = FakeMessage(b"\xff not json")
    consumer.handle(sub, calls.append, message)
    assert calls == [] and message.acked
    assert consumer._producer.sent[0][1]["x-dead-reason"] == "poison"


def test_without_broker_ttl_queues_retries_happen_in_place():
    attempts = []

    def flaky(event):
        attempts.append(1)
        if len(attempts) < 3:
            raise ValueError("not yet")

    consumer, sub = consumer_with(flaky, driver="mongodb")
    message = FakeMessage(body())
    consumer.handle(sub, flaky, message)
    consumer.flush()
    assert len(attempts) == 3 and message.acked and consumer._producer.sent == []


def test_a_database_timeout_is_retried_then_dead_lettered_never_requeued():
    def slow(event):
        raise NetworkTimeout("db:27017: timed out")

    consumer, sub = consumer_with(slow, database_answers=lambda: False)  # even with the ping failing: slow, not away
    messages = [FakeMessage(body()), FakeMessage(body(), {"x-attempts": 1}), FakeMessage(body(), {"x-attempts": 2})]
    for message in messages:
        consumer.handle(sub, slow, message)
    assert [key for key, _ in consumer._producer.sent] == ["svc.slow.retry.0", "svc.slow.retry.1", "svc.slow"]
    assert consumer._producer.sent[-1][1]["x-dead-reason"] == "handler_failed"
    assert all(m.acked and not m.requeued for m in messages)


@pytest.mark.parametrize("error", [AutoReconnect("connection closed"), ServerSelectionTimeoutError("no servers")])
def test_an_unreachable_database_requeues_without_spending_an_attempt(error):
    def away(event):
        raise error

    consumer, sub = consumer_with(away, database_answers=lambda: False)
    message = FakeMessage(body())
    consumer.handle(sub, away, message)
    assert message.requeued and not message.acked and consumer._producer.sent == []
    assert consumer.inbox.records == {}  # the claim was released: the requeued delivery can claim it again


def test_a_lost_connection_with_the_database_answering_is_an_ordinary_failure():
    def blip(event):
        raise AutoReconnect("connection reset")

    consumer, sub = consumer_with(blip, database_answers=lambda: True)
    message = FakeMessage(body())
    consumer.handle(sub, blip, message)
    assert not message.requeued and [key for key, _ in consumer._producer.sent] == ["svc.blip.retry.0"]


def test_an_event_another_worker_holds_waits_in_a_retry_queue_without_spending_an_attempt():
    calls = []
    consumer, sub = consumer_with(calls.append)
    payload = body()
    event_id = json.loads(payload)["id"]
    consumer.inbox.records[(sub.queue_name, event_id)] = ["claimed", "another-worker"]
    consumer.handle(sub, calls.append, FakeMessage(payload, {"x-attempts": 1}))
    [(key, headers)] = consumer._producer.sent
    assert (key, headers["x-attempts"], headers["x-claim-waits"], calls) == ("svc.append.retry.0", 1, 1, [])
    consumer.inbox.records[(sub.queue_name, event_id)] = ["done", "another-worker"]  # the holder finished
    again = FakeMessage(payload, headers)
    consumer.handle(sub, calls.append, again)
    assert again.acked and calls == [] and len(consumer._producer.sent) == 1


def test_a_failed_handler_releases_its_claim_so_the_retry_runs_it():
    attempts = []

    def flaky(event):
        attempts.append(1)
        if len(attempts) == 1:
            raise ValueError("once")

    consumer, sub = consumer_with(flaky)
    consumer.handle(sub, flaky, FakeMessage(body()))
    assert consumer.inbox.records == {}
    consumer.handle(sub, flaky, FakeMessage(body(), {"x-attempts": 1}))
    consumer.flush()
    assert len(attempts) == 2 and [state for state, _ in consumer.inbox.records.values()] == ["done"]


def test_quorum_queues_carry_a_delivery_limit_and_dead_letter_queues_a_cap():
    sub = Subscription("svc", "h", ("x.created",), queue_type="quorum", delivery_limit=7, dead_max=500)
    main, dead = main_queue("ev", sub).queue_arguments, dead_queue("ev", sub).queue_arguments
    assert (main["x-queue-type"], main["x-delivery-limit"]) == ("quorum", 7)
    assert (dead["x-queue-type"], dead["x-max-length"], dead["x-overflow"]) == ("quorum", 500, "drop-head")
    assert retry_queue(sub, 0, 100).queue_arguments["x-queue-type"] == "quorum"
    classic = Subscription("svc", "h", ("x.created",))
    assert "x-queue-type" not in main_queue("ev", classic).queue_arguments
    assert "x-delivery-limit" not in main_queue("ev", classic).queue_arguments


def test_done_marks_are_written_in_batches_and_each_ack_follows_its_mark():
    calls = []
    consumer, sub = consumer_with(calls.append, prefetch=8)  # batches of 4
    messages = [FakeMessage(body()) for _ in range(10)]
    for message in messages:
        consumer.handle(sub, calls.append, message)
        for m in messages:  # nothing is acked before its done mark is written
            assert not m.acked or consumer.inbox.records[(sub.queue_name, json.loads(m.body)["id"])][0] == "done"
    assert [m.acked for m in messages] == [True] * 8 + [False] * 2  # two full batches; two wait for more or idle
    consumer.flush()
    assert all(m.acked for m in messages) and len(calls) == 10
    assert consumer.inbox.round_trips == 10 + 3  # one claim per event, one done mark write per batch (was 2 per event)


def test_done_marks_that_cannot_be_written_hand_the_deliveries_back_and_release_their_claims():
    calls = []
    consumer, sub = consumer_with(calls.append)
    consumer.inbox.finish_many = lambda claims: (_ for _ in ()).throw(AutoReconnect("database away"))
    message = FakeMessage(body())
    consumer.handle(sub, calls.append, message)
    consumer.flush()
    assert message.requeued and not message.acked and consumer.inbox.records == {}
    assert consumer._handled == {} and not consumer.leases._held
