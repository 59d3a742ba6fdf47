"""The Prometheus metrics every service exports. Names are the contract with dashboards and alerts."""
from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "grid_http_requests_total", "HTTP requests by route and status", ["service", "route", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "grid_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS_PUBLISHED = Counter("grid_events_published_total", "Events published with a confirm", ["service", "type"])
EVENTS_UNROUTABLE = Counter(
    "grid_events_unroutable_total", "Events the broker returned because no queue was bound", ["service", "type"]
)
EVENTS_CONSUMED = Counter(
    "grid_events_consumed_total", "Events consumed and acked", ["service", "queue", "type", "outcome"]
)
EVENTS_RETRIED = Counter("grid_events_retried_total", "Event deliveries sent back for a retry", ["service", "queue", "type"])
EVENTS_DEAD = Counter(
    "grid_events_dead_lettered_total", "Events moved to a dead-letter queue", ["service", "queue", "reason"]
)
EVENTS_REQUEUED = Counter(
    "grid_events_requeued_total", "Deliveries put back unhandled: the database away, or another worker holds the event",
    ["service", "queue", "reason"],
)
DEAD_LETTERS = Gauge("grid_dead_letter_messages", "Messages now in a dead-letter queue", ["service", "queue"])
DEAD_LETTER_LIMIT = Gauge(
    "grid_dead_letter_limit", "A dead-letter queue's cap (DEAD_LETTER_MAX); past it the oldest are dropped",
    ["service", "queue"],
)
EVENTS_REPLAYED = Counter("grid_events_replayed_total", "Dead letters sent back to their queue", ["service", "queue"])
OUTBOX_BACKLOG = Gauge("grid_outbox_backlog", "Events stored but not yet published", ["service"])
OUTBOX_LAG = Histogram(
    "grid_outbox_lag_seconds",
    "Time from an event's occurrence to its confirmed publication",
    ["service"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300),
)
# Business gauges are refreshed in the background (shared/metrics_refresh.py), so each carries its age.
METRICS_REFRESHED = Gauge(
    "grid_metrics_refreshed_timestamp_seconds",
    "When a process's gauges were last refreshed in full (Unix time; its refresher's start until the first refresh)",
    ["service"],
)
METRICS_REFRESH_DURATION = Gauge(
    "grid_metrics_refresh_duration_seconds", "How long a process's last refresh of its gauges took", ["service"]
)
METRICS_REFRESH_INTERVAL = Gauge(
    "grid_metrics_refresh_interval_seconds", "Seconds between refreshes of a process's gauges (METRICS_REFRESH_S)",
    ["service"],
)
METRICS_REFRESH_FAILURES = Counter(
    "grid_metrics_refresh_failures_total", "Refreshes of a process's gauges that failed (the last figures stay)",
    ["service"],
)
