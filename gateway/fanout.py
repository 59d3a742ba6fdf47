"""Several upstream calls at once, under one deadline.

A page that needs several services (or one service several times) hands its calls to `gather`: they run
concurrently in the app's small thread pool, each in a copy of the request's context (so `client()`, `current_app`
and `g`, the correlation id among it, work as in the view), and the page waits at most FANOUT_DEADLINE_S for all of
them together. It gets back each call's value or its failure; a call not finished by then counts as unavailable
(ServiceError 504) and is abandoned: its thread ends on its own when the service answers or SERVICE_READ_TIMEOUT_S
passes, and nobody reads its result.
"""
import threading
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from flask import copy_current_request_context, current_app, g, has_request_context

from gateway.upstream import ServiceError

_POOL_KEY = "gateway_fanout"
_pool_lock = threading.Lock()


@dataclass(frozen=True)
class Outcome:
    """One call's value, or the exception it raised (a late call: ServiceError 504)."""

    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def result(self):
        """The value, or the call's exception raised again."""
        if self.error is not None:
            raise self.error
        return self.value


def late(name: str) -> ServiceError:
    """What a call still running at the deadline counts as."""
    return ServiceError(name, 504, detail="did not answer in time")


def _pool() -> ThreadPoolExecutor:
    """The app's pool (FANOUT_THREADS threads), made at its first use."""
    extensions = current_app.extensions
    if _POOL_KEY not in extensions:
        with _pool_lock:
            if _POOL_KEY not in extensions:
                extensions[_POOL_KEY] = ThreadPoolExecutor(max_workers=current_app.config["FANOUT_THREADS"],
                                                           thread_name_prefix="fanout")
    return extensions[_POOL_KEY]


def _in_this_context(call: Callable[[], Any]) -> Callable[[], Any]:
    """`call` to run in a pool thread with a copy of this request's context and of `g` (Flask gives a copied request
    context a fresh `g`)."""
    values = dict(vars(g._get_current_object()))

    def with_g():
        vars(g._get_current_object()).update(values)
        return call()

    if has_request_context():
        return copy_current_request_context(with_g)
    app = current_app._get_current_object()

    def in_app_context():
        with app.app_context():
            return with_g()

    return in_app_context


def gather(calls: Mapping[Hashable, Callable[[], Any]], *, deadline_s: float | None = None) -> dict[Hashable, Outcome]:
    """Run `calls` (name -> function without arguments) concurrently; each name's Outcome, in the order given, after
    at most `deadline_s` (FANOUT_DEADLINE_S by default) for all of them together."""
    if not calls:
        return {}
    deadline_s = current_app.config["FANOUT_DEADLINE_S"] if deadline_s is None else deadline_s
    pool = _pool()
    futures = {name: pool.submit(_in_this_context(call)) for name, call in calls.items()}
    wait(futures.values(), timeout=deadline_s)
    out = {}
    for name, future in futures.items():
        if not future.done():
            future.cancel()  # not started yet: it never will be; started: abandoned
            out[name] = Outcome(error=late(str(name)))
        elif future.exception() is not None:
            out[name] = Outcome(error=future.exception())
        else:
            out[name] = Outcome(value=future.result())
    return out
