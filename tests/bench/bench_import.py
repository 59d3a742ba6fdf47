"""Bulk import from XLSX at 500, 5,000 and 20,000 households: seconds, peak memory, growth."""
import json
import subprocess
import sys

from tests.bench.servers import ROOT


def run(mongo_url: str, sizes=(500, 5000, 20000)) -> list[dict]:
    out = []
    for n in sizes:
        line = subprocess.run([sys.executable, "-m", "tests.bench.import_one", mongo_url, str(n)], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        out.append(json.loads(line))
    return out
