"""Gateway metrics (the HTTP ones come from shared.web.observability)."""
from prometheus_client import Counter, Gauge, Histogram

SIGN_INS = Counter("grid_gateway_sign_ins_total", "Sign-in attempts by outcome", ["outcome"])
SESSIONS_ACTIVE = Gauge("grid_gateway_sessions", "Signed-in sessions stored (refreshed on scrape)")
UPSTREAM_LATENCY = Histogram(
    "grid_gateway_upstream_seconds", "Calls from the gateway to a service", ["service", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10),
)
