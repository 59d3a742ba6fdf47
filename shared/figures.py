"""Figures every service and the gateway's reports compute alike."""


def percent(part: int, whole: int) -> float | None:
    """`part` of `whole` in per cent, to one decimal (None when there is no whole: nothing to divide)."""
    return round(100 * part / whole, 1) if whole else None


def minutes(seconds: float | None) -> float | None:
    """Seconds as minutes to one decimal (None stays None: a drill's share that was never reached)."""
    return None if seconds is None else round(seconds / 60, 1)
