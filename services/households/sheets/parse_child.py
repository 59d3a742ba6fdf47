"""Run a parse in a child process with a memory ceiling, so a hostile file ends only its own job.

The child comes from a fork server (started once, with the parsing modules already imported), so it holds
none of the API's threads or connections and starts in milliseconds. It sets RLIMIT_AS on itself, runs the
function and sends back its result, or the domain error it raised; a child that runs out of memory or time
is reported as a file too large to read. Nothing the child allocates ever counts against the API process.
"""
import logging
import multiprocessing
import resource
import time

from services.households.sheets.xlsx_budget import TooLarge
from shared.errors import DomainError, Invalid
from shared.reasons import households as reasons

log = logging.getLogger(__name__)

_PRELOAD = ["services.households.sheets.register"]
_context = None


def _fork_server():
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        _context = context
    return _context


def _child(connection, function, kwargs, memory_bytes: int, reports: bool) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    if reports:
        kwargs["progress"] = lambda done: connection.send(("progress", done))
    try:
        outcome = ("ok", function(**kwargs))
    except DomainError as exc:
        outcome = ("error", exc.status, exc.message, exc.field)
    except MemoryError:
        outcome = ("memory",)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        connection.send(("end", outcome, peak_kb))
    except MemoryError:
        connection.send(("end", ("memory",), peak_kb))
    connection.close()


def run_limited(function, *, memory_bytes: int, timeout_s: float, what: str, progress=None, **kwargs):
    """`function(**kwargs)` in a child with at most `memory_bytes` of address space and `timeout_s` of time.

    With `progress`, the function is given a `progress` callable of its own; what it reports there reaches
    `progress` here as the child goes."""
    context = _fork_server()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, function, kwargs, memory_bytes, progress is not None),
                            daemon=True)
    began = time.monotonic()
    deadline = began + timeout_s
    child.start()
    sender.close()
    try:
        message = ("progress",)
        while message[0] == "progress":
            if not receiver.poll(max(0.0, deadline - time.monotonic())):
                log.warning("parse ran out of time", extra={"what": what, "timeout_s": timeout_s})
                raise TooLarge(reasons.TOO_SLOW(what=what, seconds=f"{timeout_s:.0f}"), field="file")
            try:
                message = receiver.recv()
            except EOFError:               # the child died without a word: killed, or out of memory in C code
                message = ("end", ("memory",), None)
            if message[0] == "progress":
                progress(message[1])
        _, outcome, peak_kb = message
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    log.info("parsed in a child", extra={"what": what, "seconds": round(time.monotonic() - began, 3),
                                         "outcome": outcome[0], "child_rss_peak_mb": peak_kb and peak_kb // 1024})
    if outcome[0] == "ok":
        return outcome[1]
    if outcome[0] == "memory":
        raise TooLarge(reasons.TOO_MUCH_MEMORY(what=what, mb=memory_bytes // 2**20), field="file")
    _, status, message, field = outcome
    raise (TooLarge if status == 413 else Invalid)(message, field=field)
