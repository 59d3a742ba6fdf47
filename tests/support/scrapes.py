"""Reading a /metrics answer in tests: one metric's samples by their labels."""
import re

SAMPLE = re.compile(r'^(grid_\w+)\{([^}]*)\} (\S+)$', re.M)


def samples(text: str, name: str) -> dict[tuple, float]:
    """{((label, value) pairs, sorted): sample} of one metric in a scrape."""
    out = {}
    for metric, labels, value in SAMPLE.findall(text):
        if metric == name:
            out[tuple(sorted(re.findall(r'(\w+)="([^"]*)"', labels)))] = float(value)
    return out
