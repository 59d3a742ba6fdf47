"""The consumer's decisions with fakes: no broker, no database."""
import functools
import json
import logging
from types import SimpleNamespace

from shared.errors import NotYet
from shared.events import new_event
from shared.messaging.consumer import EventConsumer, subscriptions


class FakeInbox:
    def __init__(self):
        self.seen = set()

    def already_processed(self, *, consumer, event_id):
        return (consumer, event_id) in self.seen

    def record_processed(self, *, consumer, event_id, event_type):
        self.seen.add((consumer, event_id))


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


def consumer_with(handler, driver="amqp"):
    consumer = EventConsumer(url="memory://", exchange="ev", service="svc",
                             handlers={"grid.created": [handler]}, retry_delays_ms=[10, 20], inbox=FakeInbox())
    consumer._producer = FakeProducer()
    consumer.connection = SimpleNamespace(transport=SimpleNamespace(driver_type=driver))
    return consumer, next(iter(consumer.table))


def body():
    return json.dumps(new_event("grid.created", source="t", data={
        "grid_id": "G", "code": "G", "name": "n", "community_id": "C"}).to_dict()).encode()


def test_one_queue_per_handler_bound_to_its_event_types():
    def a(e): ...
    def b(e): ...
    subs = subscriptions("svc", {"x.created": [a, b], "x.moved": [a]})
    assert {(s.queue_name, s.patterns) for s in subs} == {("svc.a", ("x.created", "x.moved")), ("svc.b", ("x.created",))}


def test_a_handler_given_as_a_partial_per_type_is_still_one_queue():
    def recount(e, *, cadence_days): ...
    subs = subscriptions("svc", {t: [functools.partial(recount, cadence_days=30)] for t in ("x.created", "x.moved")})
    assert [(s.queue_name, s.patterns) for s in subs] == [("svc.recount", ("x.created", "x.moved"))]


def test_a_type_the_handler_does_not_take_is_acked_without_calling_it():
    calls = []
    consumer, sub = consumer_with(calls.append)
    other = json.dumps(new_event("volunteer.left", source="t", data={
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
    assert len(attempts) == 3 and message.acked and consumer._producer.sent == []
