"""This process's memory as Linux counts it, for tests and benchmarks that bound it."""


def peak_rss_mb() -> float:
    """The process's peak resident memory (VmHWM). Not ru_maxrss: Linux carries that over from the process that
    forked and exec'd this one, so a large parent would show as this process's peak."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024


def reset_peak_rss() -> None:
    """Start the peak (VmHWM) again from the current resident size."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
