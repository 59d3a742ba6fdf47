"""Fuzzing a service's OpenAPI with schemathesis inside pytest.

The schema is loaded when the module is imported, from an app that connects to nothing; the calls
go through a WSGI proxy to the app the test's fixtures built (real database, per-run names).

`FuzzRun` is what each service's fuzz module uses: it points generated cases at real objects (so a
fuzzed body reaches the use case, not just the 404 of an unknown id), calls as a caller suited to the
route, checks the answer, proves that a rejected write stored nothing (a fingerprint of every
collection of the service's database before and after), and counts what it ran.
"""
import hashlib
import random
from collections import Counter

import schemathesis
from bson import json_util

from shared.config import TestConfig

UNIFORM_ERROR = {"status", "error", "message", "reason", "fields", "field_reasons", "request_id"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class AppProxy:
    """A WSGI app that forwards to whichever app a fixture put in `target`."""

    def __init__(self, target):
        self.target = target

    def __call__(self, environ, start_response):
        return self.target(environ, start_response)


def load_schema(create_app, service: str, config=None, *, unexpected_methods: bool = True):
    """(schema, proxy): the service's OpenAPI for @schema.parametrize(), and the proxy to point at the real app.

    Schemathesis runs its coverage phase (boundary values, missing and wrong-typed fields) and then fuzzes
    `max_examples` cases per operation. `unexpected_methods=False` leaves out the coverage phase's calls of
    each path with methods it does not have (405s), which cost time and prove little.
    """
    config = config or TestConfig(service, mongo_url="mongodb://127.0.0.1:1/?connect=false", run_id="spec")
    spec_app = create_app(config)
    proxy = AppProxy(spec_app)
    schema = schemathesis.openapi.from_wsgi("/openapi.json", spec_app)
    schema.app = proxy
    if not unexpected_methods:
        schema.config.phases.coverage.unexpected_methods = set()
    return schema, proxy


def assert_uniform_error(response) -> None:
    """No 5xx; a 4xx carries the uniform JSON error body with its own status."""
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == UNIFORM_ERROR, response.text[:500]
        assert body["status"] == response.status_code


def fingerprint(db) -> dict:
    """{collection: (count, digest of every document)}: equal fingerprints mean nothing was stored or changed."""
    out = {}
    for name in sorted(db.list_collection_names()):
        docs = list(db[name].find({}).sort("_id", 1))
        out[name] = (len(docs), hashlib.sha256(json_util.dumps(docs).encode()).hexdigest()[:16])
    return out


def stored_difference(before: dict, after: dict) -> dict:
    return {name: (before.get(name), after.get(name)) for name in set(before) | set(after)
            if before.get(name) != after.get(name)}


class FuzzRun:
    """One service's fuzzing: known ids for path parameters, the caller per route, the checks and the tally.

    ids: {path parameter name: value}, or {name: {path fragment: value}} where the same name means different
    things on different routes (a sign-up link's token and a volunteer's personal token). A case keeps its
    generated value now and then (`keep_generated`), so odd ids are fuzzed too.
    """

    def __init__(self, service: str, *, keep_generated: float = 0.25):
        self.service = service
        self.keep_generated = keep_generated
        self.cases = 0
        self.rejected_writes = 0
        self.statuses: Counter = Counter()
        self.operations: set = set()
        self._last = None  # the database's fingerprint after the last refused write, while nothing else ran

    def known_id(self, ids: dict, path: str, name: str):
        value = ids.get(name)
        if isinstance(value, dict):
            value = next((v for fragment, v in value.items() if fragment in path), None)
        return value

    def aim(self, case, ids: dict) -> None:
        """Put real ids into the case's path parameters (most of the time)."""
        for name in list(case.path_parameters or {}):
            value = self.known_id(ids, case.path, name)
            if value is not None and random.random() >= self.keep_generated:
                case.path_parameters[name] = value

    def check(self, case, *, db, headers: dict, ids: dict | None = None):
        """Call the case as `headers`; no 5xx, uniform errors, and a refused write leaves the database as it was.

        The database's fingerprint is taken before a write only when the last one is stale (after an accepted
        write or a read), so a run of refused writes costs one fingerprint each.
        """
        self.aim(case, ids or {})
        write = case.method.upper() in WRITES
        if write and self._last is None:
            self._last = fingerprint(db)
        before = self._last
        response = case.call(headers=headers)
        self.cases += 1
        self.operations.add(case.operation.label)
        self.statuses[response.status_code] += 1
        assert_uniform_error(response)
        if write and response.status_code >= 400:
            self.rejected_writes += 1
            after = self._last = fingerprint(db)
            assert after == before, (f"{case.method.upper()} {case.formatted_path} answered {response.status_code} "
                                     f"but changed {stored_difference(before, after)}")
        else:
            self._last = None
        return response

    def report(self) -> str:
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        return (f"[fuzz] {self.service}: {self.cases} cases over {len(self.operations)} operations, "
                f"{self.rejected_writes} refused writes proven to store nothing; answers {statuses}")
