"""Container health check: exit 0 when the URL (argv[1] or $HEALTH_URL) answers 2xx, else 1.

Standard library only, so it runs in the slim image: python /usr/local/bin/healthcheck [URL]
"""
import os
import sys
import urllib.request


def main(argv) -> int:
    url = argv[1] if len(argv) > 1 else os.environ.get("HEALTH_URL", "http://127.0.0.1:8000/healthz")
    try:
        with urllib.request.urlopen(url, timeout=4) as response:  # noqa: S310 (a fixed local URL)
            return 0 if 200 <= response.status < 300 else 1
    except Exception as exc:  # refused, timeout, HTTP error: all mean "unhealthy"
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
