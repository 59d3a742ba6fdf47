"""Bulk import from XLSX at 500, 5,000, 20,000 and 50,000 households, each one import job in a process of its own:
seconds from the upload to the job's end, peak RSS of the process that runs the job and of the parse child."""
import json
import subprocess
import sys

from tests.bench.servers import ROOT

SIZES = (500, 5000, 20000, 50000)


def run(mongo_url: str, sizes=SIZES) -> list[dict]:
    out = []
    for n in sizes:
        line = subprocess.run([sys.executable, "-m", "tests.bench.import_one", mongo_url, str(n)], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        out.append(json.loads(line))
    return out
