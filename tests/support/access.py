"""Walk every route of an app (from its URL map) as an outsider and collect the answers.

The routes come from the app's URL map, so a route added later is walked without anyone remembering it:
a placeholder the walk has no id for, or a write route it has no valid body for, fails the walk.
"""
import re

PUBLIC = {"/healthz", "/readyz", "/metrics", "/openapi.json"}
REFUSED = (403, 404)


def routes(app, *, where=None):
    """(rule, method, endpoint) for every route but the public probes and static files (and those `where` rejects)."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.rule in PUBLIC or rule.endpoint == "static":
            continue
        if where is not None and not where(rule.rule):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.rule, method, rule.endpoint))
    return out


def placeholder_value(ids: dict, rule: str, name: str):
    """The id for <name> in `rule`: ids[name], or, where the same name means different things on different
    routes, ids[name] = {rule fragment: id} (the first fragment found in the rule wins)."""
    value = ids.get(name)
    if isinstance(value, dict):
        value = next((v for fragment, v in value.items() if fragment in rule), None)
    return value


def fill(rule: str, ids: dict) -> str:
    """Put the other grid's object ids into the route's placeholders; fail on a placeholder we don't know."""
    def one(match):
        name = match.group(1).split(":")[-1]
        value = placeholder_value(ids, rule, name)
        assert value is not None, f"route {rule}: no id given for <{name}>; add one to the walk"
        return str(value)
    return re.sub(r"<([^>]+)>", one, rule)


def walk(app, client, *, headers, ids, bodies, query=None, where=None):
    """Call every route as `headers` against `ids`; return [(method, rule, status)].

    `bodies` maps an endpoint name to a valid request body (JSON dict, or a callable returning
    keyword arguments for the test client, e.g. multipart data). A write route without one fails,
    so a new route cannot slip past the walk. `where(rule)` limits the walk to some routes.
    """
    return [(m, r, s) for m, r, s, _ in walk_detail(app, client, headers=headers, ids=ids, bodies=bodies,
                                                    query=query, where=where)]


def walk_detail(app, client, *, headers, ids, bodies, query=None, where=None):
    """`walk`, with each answer's text: [(method, rule, status, text)]."""
    answers = []
    for rule, method, endpoint in routes(app, where=where):
        url = fill(rule, ids)
        kwargs = {"headers": headers, "query_string": (query or {}).get(endpoint)}
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            assert endpoint in bodies, f"{method} {rule} ({endpoint}): give a valid body to the access walk"
            body = bodies[endpoint]
            kwargs.update(body() if callable(body) else {"json": body})
        response = client.open(url, method=method, **kwargs)
        answers.append((method, rule, response.status_code, response.get_data(as_text=True)))
    return answers


def leaks(answers, secrets) -> list:
    """(method, rule, secret) for every answer that was let through and shows one of `secrets` (the other
    side's object ids and names): a list may answer 200, but only with the caller's own things."""
    return [(a[0], a[1], secret) for a in answers if a[2] not in REFUSED for secret in secrets
            if secret and secret in a[3]]


def let_through(answers, allowed=()) -> list:
    """The answers that were neither 403 nor 404, leaving out the (method, rule) pairs in `allowed`."""
    allowed = set(allowed)
    return [(a[0], a[1], a[2]) for a in answers if a[2] not in REFUSED and (a[0], a[1]) not in allowed]


def report(name: str, answers, who: str) -> str:
    refused = sum(1 for a in answers if a[2] in REFUSED)
    return f"[access walk] {name}: {len(answers)} route/method pairs walked as {who}; {refused} refused (403/404)"


def is_public(rule: str) -> bool:
    """Routes a resident reaches without an account: the token (or serial) in the path is the only key."""
    return rule.startswith("/public/")


def stored_state(db, skip=("processed_events", "outbox_sent")) -> dict:
    """{collection: (documents, sum of their versions)} of a database a running worker also writes to: its
    relay empties outboxes and its inbox records events, so the documents themselves are not compared, but
    a stored document or a committed change (each bumps `version`) shows."""
    out = {}
    for name in sorted(db.list_collection_names()):
        if name in skip:
            continue
        rows = list(db[name].aggregate([{"$group": {"_id": None, "n": {"$sum": 1},
                                                    "v": {"$sum": {"$ifNull": ["$version", 0]}}}}]))
        out[name] = (rows[0]["n"], rows[0]["v"]) if rows else (0, 0)
    return out


def outsiders(app) -> list[tuple[str, dict]]:
    """Identity headers that did not come from the gateway for this request, each with its label: none at all,
    one signed with another key, a genuine one widened to admin, one for another service, one for another
    method, one for another path, one issued more than 30 s ago (expired, and with a long expiry), one naming
    a role that does not exist. Each is made per request by the test client (shared.web.signing_test_client)."""
    from shared.identity import Principal
    from shared.web.signing_test_client import marker

    admin = Principal(user_id="intruder", role="admin", name="入侵者")
    worker = Principal(user_id="w-x", role="grid_worker", grid_ids=("C1-G1",))
    return [("no identity", {}), ("signed with another key", marker(admin, wrong="key")),
            ("a worker's identity widened to admin", marker(worker, wrong="widened")),
            ("for another service", marker(admin, wrong="audience")),
            ("for another method", marker(admin, wrong="method")),
            ("for another path", marker(admin, wrong="path")),
            ("issued more than 30 s ago", marker(admin, wrong="old")),
            ("issued more than 30 s ago, with a long expiry", marker(admin, wrong="old_but_long_lived")),
            ("an unknown role", marker(Principal(user_id="intruder", role="superuser")))]
