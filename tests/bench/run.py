"""`make bench`: run every benchmark, print a table, write docs/benchmarks.md with the command, machine and date.

    python -m tests.bench.run [--seconds 8] [--events 3000] [--sizes 500,5000,20000] [--only list,bus,...]
"""
import argparse
import datetime
import sys

from tests.bench import bench_bus, bench_drills_rollcall, bench_import, bench_list, bench_pages
from tests.bench.servers import ROOT, database, machine

STAND_IN_CAVEAT = (
    "**Read the database-bound figures with care.** SecantusDB, the MongoDB-wire stand-in these machines have, serves "
    "one request at a time and answers a 50-document query in tens of milliseconds where a real mongod takes about "
    "one. The request-rate goals (list ≥ 300 req/s, p99 < 150 ms at 8 clients) and the bus with the inbox (one "
    "database read and write per event) are bounded by it here; run `MONGO_URL=mongodb://… make bench` where a real "
    "MongoDB is available. The ratios against the bare endpoint, the page weights, the relay lag and the import's "
    "linearity carry over.")
GOALS = "Goals: p99 < 150 ms at 8 clients; JSON list ≥ 300 req/s; overhead ≤ 1.5× the bare endpoint; " \
        "bus ≥ 0.7× bare pika; relay lag p99 < 1 s; HTML+CSS < 100 KB gz and JS < 50 KB per page; import linear."


def _lat(r) -> str:
    return f"{r['p50']:.1f} / {r['p95']:.1f} / {r['p99']:.1f}"


def list_section(rows) -> list[str]:
    lines = ["| what | clients | ours req/s | ours p50 / p95 / p99 ms | bare req/s | bare p50 / p95 / p99 ms | "
             "overhead (p50) | errors |", "| --- | ---: | ---: | --- | ---: | --- | ---: | ---: |"]
    for r in rows:
        a, b = r["ours"], r["plain"]
        lines.append(f"| {r['what']} | {r['clients']} | {a['rps']:.0f} | {_lat(a)} | {b['rps']:.0f} | {_lat(b)} "
                     f"| {r['overhead']:.2f}× | {a['errors'] + a['non2xx']} |")
    return lines


def pages_section(result) -> list[str]:
    lines = ["Register page (`/grids/<id>/households`, 500 households, a grid worker signed in), gateway → "
             "households, both under gunicorn:", "", "| clients | req/s | p50 / p95 / p99 ms | errors |",
             "| ---: | ---: | --- | ---: |"]
    lines += [f"| {r['clients']} | {r['rps']:.0f} | {_lat(r)} | {r['errors'] + r['non2xx']} |" for r in result["load"]]
    lines += ["", "Page weight (budget: HTML+CSS < 102,400 B compressed, JS < 51,200 B):", "",
              "| page | HTML+CSS gz B | JS B | JS gz B | within budget |", "| --- | ---: | ---: | ---: | --- |"]
    for w in result["weights"]:
        ok = w["html_css_gz"] < bench_pages.BUDGET["html_css_gz"] and w["js"] < bench_pages.BUDGET["js"]
        lines.append(f"| `{w['page']}` | {w['html_css_gz']:,} | {w['js']:,} | {w['js_gz']:,} | {'yes' if ok else 'NO'} |")
    return lines


def bus_section(r) -> list[str]:
    ours, bare, raw = r["ours"], r["pika"], r["ours_no_inbox"]
    return ["| path | publish events/s (confirmed) | end to end events/s (acked) | vs bare pika |",
            "| --- | ---: | ---: | ---: |",
            f"| bare pika, confirms + acks | {bare['publish_rate']:.0f} | {bare['end_to_end_rate']:.0f} | 1.00× |",
            f"| ours (kombu), without the inbox | {raw['publish_rate']:.0f} | {raw['end_to_end_rate']:.0f} | "
            f"{raw['end_to_end_rate'] / bare['end_to_end_rate']:.2f}× |",
            f"| ours, with the inbox (idempotency in the database) | {ours['publish_rate']:.0f} | "
            f"{ours['end_to_end_rate']:.0f} | {ours['end_to_end_rate'] / bare['end_to_end_rate']:.2f}× |",
            "", f"{r['events']:,} events per path. Outbox relay under load: {r['relay']['events']} events from "
            f"{r['relay']['writes_per_s']:.0f} registrations/s; lag from the event's time to a consumer's receipt "
            f"p50 {r['relay']['p50'] * 1000:.0f} ms, p99 {r['relay']['p99'] * 1000:.0f} ms."]


def import_section(rows) -> list[str]:
    lines = ["| households | rows | XLSX bytes | seconds | households/s | peak RSS MB (before) | s per 1,000 |",
             "| ---: | ---: | ---: | ---: | ---: | --- | ---: |"]
    for r in rows:
        lines.append(f"| {r['households']:,} | {r['rows']:,} | {r['bytes']:,} | {r['seconds']:.1f} | "
                     f"{r['households'] / r['seconds']:.0f} | {r['rss_peak_mb']:.0f} ({r['rss_before_mb']:.0f}) | "
                     f"{r['seconds'] / r['households'] * 1000:.2f} |")
    return lines


def rollcall_section(r) -> list[str]:
    return [f"{r['grids']} grids × {r['households'] // r['grids']} households, {r['grids']} phones ticking at once "
            f"(drills API under gunicorn):", "",
            f"- ticks handled: **{r['ticks_per_s']:.0f}/s**; tick request p50 / p95 {r['tick_p50_ms']:.0f} / "
            f"{r['tick_p95_ms']:.0f} ms; failed requests {r['failed_requests']}",
            f"- a tick shows on the live board (polled every 0.5 s) after p50 / p95 {r['visible_p50_ms']:.0f} / "
            f"{r['visible_p95_ms']:.0f} ms; board request p50 / p95 {r['board_p50_ms']:.0f} / {r['board_p95_ms']:.0f} ms",
            f"- board at the end: {r['board_accounted']} of {r['households']} accounted"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=8, help="seconds per load step")
    parser.add_argument("--events", type=int, default=3000, help="events per bus path")
    parser.add_argument("--sizes", default="500,5000,20000", help="households per import")
    parser.add_argument("--only", default="list,pages,bus,import,rollcall")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    sections = []
    with database() as (url, label):
        if "list" in only:
            sections.append(("Households list API (gunicorn 1 × 8 threads) vs bare Flask + pymongo", label,
                             list_section(bench_list.run(url, seconds=args.seconds))))
        if "pages" in only:
            sections.append(("Phone pages", label, pages_section(bench_pages.run(url, seconds=args.seconds))))
        if "bus" in only:
            sections.append(("Event bus through the real RabbitMQ", label,
                             bus_section(bench_bus.run(url, events=args.events))))
        if "import" in only:
            sizes = tuple(int(s) for s in args.sizes.split(","))
            sections.append(("Bulk import from XLSX", label, import_section(bench_import.run(url, sizes=sizes))))
        if "rollcall" in only:
            sections.append(("Drill roll-call", label, rollcall_section(bench_drills_rollcall.run(url))))
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    command = f"python -m tests.bench.run {' '.join(argv)}" if argv else "make bench"
    out = ["# Benchmarks", "", f"Command: `{command}`  ", f"Machine: {machine()}  ", f"Date: {now}  ",
           "RabbitMQ: the machine's broker at 127.0.0.1:5672", "", GOALS, ""]
    if any("stand-in" in server for _, server, _ in sections):
        out += [STAND_IN_CAVEAT, ""]
    for title, server, table in sections:
        out += [f"## {title}", "", f"Database: {server}", "", *table, ""]
    text = "\n".join(out)
    print(text)
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "benchmarks.md").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
