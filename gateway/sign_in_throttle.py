"""Sign-in throttling that slows guessing down without locking the real user out.

Failures are counted per (account, client address) pair, with growing delays: the first
LOGIN_FREE_FAILURES failures of a pair cost nothing, each one after that doubles the wait
(LOGIN_DELAY_BASE_S, 2x, 4x ... up to LOGIN_DELAY_MAX_S). A wait only ever applies to a pair that
has failed, so:

* a burst of wrong passwords for `worker-xf-01` from one address slows that address down for that
  account; the worker signing in from anywhere else is not touched (no lock-out by name);
* grid workers behind one carrier-grade NAT share an address, but an account that has no failures
  from that address is never refused: its right password always gets through.

Failures are also counted per account (from every address) and per address (for every account).
When either passes its alarm level (LOGIN_ACCOUNT_ALARM, LOGIN_ADDRESS_ALARM within the window) the
pairs involved lose their free failures and wait LOGIN_ALARM_DELAY_S (doubling) after every failure:
a password spray from one address gets about one guess per account, a botnet guessing one
account about one guess per address, while each untouched account still signs in at once.
Counts are forgotten LOGIN_FAILURE_WINDOW_S after their last failure; a successful sign-in clears
its own pair. Counters live in the gateway's database, so all replicas count together.
"""
import math
from dataclasses import astuple, dataclass
from datetime import timedelta

from flask import current_app

from gateway.models import SignInFailures
from shared.clock import aware, now


@dataclass(frozen=True)
class Keys:
    pair: str
    account: str
    address: str


def keys_for(*, account: str, address: str | None) -> Keys:
    """The counter keys of an attempt on `account` from `address`."""
    account = (account or "").strip().lower()[:40]
    address = (address or "unknown")[:64]
    return Keys(f"pair:{account}|{address}", f"account:{account}", f"address:{address}")


def _counts(keys: Keys) -> dict[str, SignInFailures]:
    window = timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_S"])
    at = now()
    docs = SignInFailures.objects(pk__in=[keys.pair, keys.account, keys.address])
    return {d.pk: d for d in docs if aware(d.last_at) + window > at}


def wait_seconds(*, account: str, address: str | None) -> int:
    """Seconds this address must wait before trying `account` again; 0 when it may try now."""
    cfg = current_app.config
    keys = keys_for(account=account, address=address)
    counts = _counts(keys)
    pair = counts.get(keys.pair)
    if pair is None or not pair.count:
        return 0  # never refuse an account that has no failures from this address
    alarm = (getattr(counts.get(keys.account), "count", 0) >= cfg["LOGIN_ACCOUNT_ALARM"]
             or getattr(counts.get(keys.address), "count", 0) >= cfg["LOGIN_ADDRESS_ALARM"])
    free, base = (0, cfg["LOGIN_ALARM_DELAY_S"]) if alarm else (cfg["LOGIN_FREE_FAILURES"], cfg["LOGIN_DELAY_BASE_S"])
    over = pair.count - free
    if over <= 0:
        return 0
    delay = min(cfg["LOGIN_DELAY_MAX_S"], base * 2 ** min(over - 1, 30))
    left = (aware(pair.last_at) + timedelta(seconds=delay) - now()).total_seconds()
    return max(0, math.ceil(left))


def record_failure(*, account: str, address: str | None) -> None:
    """Count a failed sign-in under its pair, its account and its address."""
    window = timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_S"])
    at = now()
    for key in astuple(keys_for(account=account, address=address)):
        before = SignInFailures.objects(pk=key).modify(
            upsert=True, new=False, inc__count=1, set__last_at=at, set__expires_at=at + window)
        if before is not None and aware(before.last_at) + window <= at:
            SignInFailures.objects(pk=key).update_one(set__count=1)  # the old count had run out


def record_success(*, account: str, address: str | None) -> None:
    """A right password clears its own pair's count (not the account's or the address's)."""
    SignInFailures.objects(pk=keys_for(account=account, address=address).pair).delete()


def slowed_down(limit: int = 100) -> list[SignInFailures]:
    """The counters that currently carry failures, newest first (the admins' view)."""
    window = timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_S"])
    return list(SignInFailures.objects(last_at__gt=now() - window).order_by("-last_at").limit(limit))
