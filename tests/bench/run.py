"""`make bench` (every part) or `make bench PART=bus` (one part: list, pages, bus, import, rollcall, scale).

Each part prints its figures and ends with one goal line; docs/benchmarks.md gets that part's section rewritten
(with its command, date, machine and database), the other parts' sections kept as they were.

    python -m tests.bench.run [--seconds 8] [--events 3000] [--sizes 500,5000,20000] [--grids 200]
                              [--scale-import 50000] [--only list,bus,...]
"""
import argparse
import datetime
import logging
import re
import sys
from dataclasses import dataclass
from typing import Callable

from tests.bench import bench_bus, bench_drills_rollcall, bench_import, bench_list, bench_pages, bench_scale
from tests.bench.servers import ROOT, database, machine

DOC = ROOT / "docs" / "benchmarks.md"
STAND_IN_CAVEAT = (
    "**Read the database-bound figures with care.** SecantusDB, the MongoDB-wire stand-in these machines have, serves "
    "one request at a time and answers a 50-document query in tens of milliseconds where a real mongod takes about "
    "one. The request-rate goals (list ≥ 300 req/s, p99 < 150 ms at 8 clients) and the bus with the inbox (one "
    "database read and write per event) are bounded by it here; run `MONGO_URL=mongodb://… make bench` where a real "
    "MongoDB is available. The ratios against the bare endpoint, the page weights, the relay lag and the import's "
    "linearity carry over.")
GOALS = "Goals: p99 < 150 ms at 8 clients; JSON list ≥ 300 req/s; overhead ≤ 1.5× the bare endpoint; " \
        "bus ≥ 0.8× bare pika; relay lag p99 < 1 s; HTML+CSS < 100 KB gz and JS < 50 KB per page; import linear " \
        "with peak memory < 300 MB at 50,000 households; a page's fan-out ≤ 1.3× its slowest upstream call; " \
        "at 100,000 households: the list within 1.3× of one grid's, /metrics < 200 ms, a 5,000-household " \
        "roll-call frozen in < 5 s."
LIST_GOAL, FANOUT_GOAL, BUS_GOAL, PEAK_GOAL_MB, LINEAR_SPREAD = 1.5, 1.3, 0.8, 300, 1.5
SCALE_LIST_GOAL, METRICS_GOAL_MS, FREEZE_GOAL_S = 1.3, 200, 5


def _lat(r) -> str:
    return f"{r['p50']:.1f} / {r['p95']:.1f} / {r['p99']:.1f}"


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def list_section(rows) -> list[str]:
    lines = ["| what | clients | ours req/s | ours p50 / p95 / p99 ms | bare req/s | bare p50 / p95 / p99 ms | "
             "overhead (p50) | errors |", "| --- | ---: | ---: | --- | ---: | --- | ---: | ---: |"]
    for r in rows:
        a, b = r["ours"], r["plain"]
        lines.append(f"| {r['what']} | {r['clients']} | {a['rps']:.0f} | {_lat(a)} | {b['rps']:.0f} | {_lat(b)} "
                     f"| {r['overhead']:.2f}× | {a['errors'] + a['non2xx']} |")
    return lines


def list_goal(rows) -> str:
    worst = max(r["overhead"] for r in rows)
    return f"list: at most {worst:.2f}x the bare endpoint's p50 (goal {LIST_GOAL}x): {_verdict(worst <= LIST_GOAL)}"


def pages_section(result) -> list[str]:
    lines = ["Register page (`/grids/<id>/households`, 500 households, a grid worker signed in), gateway → "
             "households, both under gunicorn:", "", "| clients | req/s | p50 / p95 / p99 ms | errors |",
             "| ---: | ---: | --- | ---: |"]
    lines += [f"| {r['clients']} | {r['rps']:.0f} | {_lat(r)} | {r['errors'] + r['non2xx']} |" for r in result["load"]]
    lines += ["", "Page weight (budget: HTML+CSS < 102,400 B compressed, JS < 51,200 B):", "",
              "| page | HTML+CSS gz B | JS B | JS gz B | within budget |", "| --- | ---: | ---: | ---: | --- |"]
    for w in result["weights"]:
        lines.append(f"| `{w['page']}` | {w['html_css_gz']:,} | {w['js']:,} | {w['js_gz']:,} | "
                     f"{'yes' if _within_budget(w) else 'NO'} |")
    fanout = result.get("fanout")
    if fanout:
        lines += ["", f"Fan-out: `{fanout['page']}` p50 {fanout['p50_ms']:.1f} ms; its slowest upstream call "
                  f"(`{fanout['slowest_upstream']}`) p50 {fanout['slowest_upstream_p50_ms']:.1f} ms."]
        lines += _upstream_lines(fanout)
    return lines


def _upstream_lines(fanout) -> list[str]:
    """Each upstream call the page makes, timed alone, and the calls to one service added up: a database that
    answers one request at a time (the stand-in) cannot overlap them, so their sum is the page's floor there."""
    calls = fanout.get("upstream_p50_ms") or []
    if not calls:
        return []
    by_service: dict[str, float] = {}
    for label, ms in calls:
        by_service[label.split(" ", 1)[0]] = by_service.get(label.split(" ", 1)[0], 0.0) + ms
    service, floor = max(by_service.items(), key=lambda item: item[1])
    return ["", "| upstream call (alone) | p50 ms |", "| --- | ---: |",
            *(f"| `{label}` | {ms:.1f} |" for label, ms in calls), "",
            f"The {service} calls added up: {floor:.1f} ms; the page is {fanout['p50_ms'] / floor:.2f}x that sum. "
            "Calls to different services overlap; calls to one service overlap only where its database serves "
            "requests in parallel (a real MongoDB does; the stand-in serves one at a time)."]


def _within_budget(w) -> bool:
    return w["html_css_gz"] < bench_pages.BUDGET["html_css_gz"] and w["js"] < bench_pages.BUDGET["js"]


def pages_goal(result) -> str:
    fanout = result.get("fanout")
    weights = all(_within_budget(w) for w in result["weights"])
    if not fanout:
        return f"pages: fan-out not measured by this bench_pages; page weights within budget: {_verdict(weights)}"
    ratio = fanout["ratio"]
    return (f"pages: today page p50 {ratio:.2f}x the slowest upstream call (goal {FANOUT_GOAL}x): "
            f"{_verdict(ratio <= FANOUT_GOAL and weights)}")


def _bus_ratio(r) -> float:
    return r["ours_no_inbox"]["end_to_end_rate"] / r["pika"]["end_to_end_rate"]


def bus_section(r) -> list[str]:
    ours, bare, raw = r["ours"], r["pika"], r["ours_no_inbox"]
    prefetch = f" Consumers' prefetch: {r['prefetch']}." if "prefetch" in r else ""
    return ["| path | publish events/s (confirmed) | end to end events/s (acked) | vs bare pika |",
            "| --- | ---: | ---: | ---: |",
            f"| bare pika, confirms + acks | {bare['publish_rate']:.0f} | {bare['end_to_end_rate']:.0f} | 1.00× |",
            f"| ours (kombu), without the inbox | {raw['publish_rate']:.0f} | {raw['end_to_end_rate']:.0f} | "
            f"{_bus_ratio(r):.2f}× |",
            f"| ours, with the inbox (idempotency in the database) | {ours['publish_rate']:.0f} | "
            f"{ours['end_to_end_rate']:.0f} | {ours['end_to_end_rate'] / bare['end_to_end_rate']:.2f}× |",
            "", f"{r['events']:,} events per path.{prefetch} Outbox relay under load: {r['relay']['events']} events "
            f"from {r['relay']['writes_per_s']:.0f} registrations/s; lag from the event's time to a consumer's receipt "
            f"p50 {r['relay']['p50'] * 1000:.0f} ms, p99 {r['relay']['p99'] * 1000:.0f} ms."]


def bus_goal(r) -> str:
    ratio = _bus_ratio(r)
    return f"bus: {ratio:.2f}x of bare pika (goal {BUS_GOAL}x): {_verdict(ratio >= BUS_GOAL)}"


def _per_1000(r) -> float:
    return r["seconds"] / r["households"] * 1000


def _peak(r) -> str:
    child = f", parse child {r['child_rss_peak_mb']:.0f}" if r.get("child_rss_peak_mb") is not None else ""
    return f"{r['rss_peak_mb']:.0f} ({r['rss_before_mb']:.0f}{child})"


def import_section(rows) -> list[str]:
    lines = ["| households | rows | XLSX bytes | seconds | households/s | peak RSS MB (before, child) | s per 1,000 | "
             "status |", "| ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r['households']:,} | {r['rows']:,} | {r['bytes']:,} | {r['seconds']:.1f} | "
                     f"{r['households'] / r['seconds']:.0f} | {_peak(r)} | {_per_1000(r):.2f} | "
                     f"{r.get('status', '')} |")
    return lines


def _import_peak(r) -> float:
    return max(r["rss_peak_mb"], r.get("child_rss_peak_mb") or 0)


def import_goal(rows) -> str:
    largest = max(rows, key=lambda r: r["households"])
    per_1000 = [_per_1000(r) for r in rows]
    linear = max(per_1000) <= LINEAR_SPREAD * min(per_1000)
    peak_ok = _import_peak(largest) < PEAK_GOAL_MB
    shape = ("linear" if linear else "NOT linear") if len(rows) > 1 else "one size only"
    return (f"import: {largest['households']:,} households, peak {_import_peak(largest):.0f} MB (goal < "
            f"{PEAK_GOAL_MB} MB), {_per_1000(largest):.1f} s per 1,000 ({shape}): {_verdict(peak_ok and linear)}")


def rollcall_section(r) -> list[str]:
    return [f"{r['grids']} grids × {r['households'] // r['grids']} households, {r['grids']} phones ticking at once "
            f"(drills API under gunicorn):", "",
            f"- start (freezing {r['households']:,} households): {r['start_s']:.1f} s",
            f"- ticks handled: **{r['ticks_per_s']:.0f}/s**; tick request p50 / p95 {r['tick_p50_ms']:.0f} / "
            f"{r['tick_p95_ms']:.0f} ms; failed requests {r['failed_requests']}",
            f"- a tick shows on the live board (polled every 0.5 s) after p50 / p95 {r['visible_p50_ms']:.0f} / "
            f"{r['visible_p95_ms']:.0f} ms; board request p50 / p95 {r['board_p50_ms']:.0f} / {r['board_p95_ms']:.0f} ms",
            f"- board at the end: {r['board_accounted']} of {r['households']} accounted"]


def rollcall_goal(r) -> str:
    met = r["start_s"] < FREEZE_GOAL_S and r["board_accounted"] == r["households"] and not r["failed_requests"]
    return (f"rollcall: {r['households']:,} households frozen in {r['start_s']:.1f} s (goal < {FREEZE_GOAL_S} s), "
            f"{r['board_accounted']:,} of {r['households']:,} ticks on the board: {_verdict(met)}")


def scale_section(r) -> list[str]:
    lines = [f"{r['households']:,} households in {r['grids']} grids across {r['communities']} communities, built by "
             f"the households service's own code and written with insert_many (grid summaries refreshed; the drills "
             f"service's copy folded from the same registration events) in {r['load_s']:.0f} s; the whole scale run "
             f"took {r['seconds'] / 60:.1f} min.", "",
             "| register list, a grid's first page of 50 (1 client, households API under gunicorn) | p50 ms |",
             "| --- | ---: |",
             f"| 1 grid loaded ({r['households'] // r['grids']:,} households) | {r['list_1_grid_p50_ms']:.1f} |",
             f"| {r['grids']} grids loaded ({r['households']:,} households) | {r['list_all_grids_p50_ms']:.1f} |",
             f"| ratio | {r['list_ratio']:.2f}× |", ""]
    if r.get("list_plan"):
        lines += [f"The list's query at {r['grids']} grids uses the index `{r['list_plan']['index']}` "
                  f"({r['list_plan']['keys_examined']} keys examined).", ""]
    modes = r["metrics"]
    titles = {"per_scrape": "refreshed per scrape (METRICS_REFRESH_S=0)",
              "background": f"background refresh (METRICS_REFRESH_S={bench_scale.REFRESH_S})"}
    lines += [f"`/metrics` per service under gunicorn, {bench_scale.SCRAPES} scrapes one after another, p50 / max ms:",
              "", "| service | " + " | ".join(titles[m] for m in modes) + " | answer bytes |",
              "| --- | " + " | ".join("---:" for _ in modes) + " | ---: |"]
    first = next(iter(modes.values()))
    for service in first:
        cells = " | ".join(f"{modes[m][service]['p50_ms']:.0f} / {modes[m][service]['max_ms']:.0f}" for m in modes)
        lines.append(f"| {service} | {cells} | {first[service]['bytes']:,} |")
    if "background" not in modes:
        lines += ["", "This checkout has no METRICS_REFRESH_S: every scrape recounts (the cost issue 17 describes)."]
    f = r["freeze"]
    lines += ["", f"Roll-call: a drill started over the small community's {f['grids']} grids froze "
              f"{f['households']:,} households' rosters in **{f['seconds']:.1f} s** (drills API under gunicorn)."]
    if r.get("import"):
        lines += ["", f"The {r['import']['households']:,}-household import (bench_import):", "",
                  *import_section([r["import"]])]
    return lines


def _metrics_worst(r) -> float:
    modes = r["metrics"]
    return max(s["p50_ms"] for s in modes.get("background", modes["per_scrape"]).values())


def scale_goal(r) -> str:
    worst, freeze = _metrics_worst(r), r["freeze"]["seconds"]
    met = r["list_ratio"] <= SCALE_LIST_GOAL and worst < METRICS_GOAL_MS and freeze < FREEZE_GOAL_S
    line = (f"scale: list at {r['grids']} grids {r['list_ratio']:.2f}x one grid's (goal {SCALE_LIST_GOAL}x); "
            f"slowest /metrics p50 {worst:.0f} ms (goal < {METRICS_GOAL_MS} ms); {r['freeze']['households']:,}-household "
            f"roll-call frozen in {freeze:.1f} s (goal < {FREEZE_GOAL_S} s)")
    if r.get("import"):
        peak = _import_peak(r["import"])
        met = met and peak < PEAK_GOAL_MB
        line += f"; {r['import']['households']:,}-household import peak {peak:.0f} MB (goal < {PEAK_GOAL_MB} MB)"
    return f"{line}: {_verdict(met)}"


@dataclass(frozen=True)
class Part:
    title: str
    measure: Callable  # (mongo_url, args) -> result
    section: Callable  # result -> lines
    goal: Callable     # result -> the goal line


PARTS = {
    "list": Part("Households list API (gunicorn 1 × 8 threads) vs bare Flask + pymongo",
                 lambda url, a: bench_list.run(url, seconds=a.seconds), list_section, list_goal),
    "pages": Part("Phone pages", lambda url, a: bench_pages.run(url, seconds=a.seconds), pages_section, pages_goal),
    "bus": Part("Event bus through the real RabbitMQ", lambda url, a: bench_bus.run(url, events=a.events),
                bus_section, bus_goal),
    "import": Part("Bulk import from XLSX", lambda url, a: bench_import.run(url, **_sizes(a)), import_section,
                   import_goal),
    "rollcall": Part("Drill roll-call", lambda url, a: bench_drills_rollcall.run(url), rollcall_section,
                     rollcall_goal),
    "scale": Part("Scale: a city's district (100,000 households by default)", lambda url, a: bench_scale.run(
        url, district=bench_scale.District(grids=a.grids), seconds=a.seconds, import_size=a.scale_import or None),
                  scale_section, scale_goal),
}


def _sizes(args) -> dict:
    return {"sizes": tuple(int(s) for s in args.sizes.split(","))} if args.sizes else {}


def section(name: str, result, *, command: str, server: str) -> str:
    """A part's section of docs/benchmarks.md, between markers so that a run of one part replaces only its own."""
    part = PARTS[name]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"<!-- part:{name} -->", f"## {part.title}", "", f"Command: `{command}`  ", f"Date: {now}  ",
             f"Machine: {machine()}  ", f"Database: {server}", "", *part.section(result), "",
             f"**{part.goal(result)}**", f"<!-- /part:{name} -->"]
    return "\n".join(lines)


def print_part(name: str, result, server: str, *, command: str | None = None) -> str:
    """Print a part's figures ending with its goal line; return its section."""
    text = section(name, result, command=command or f"make bench PART={name}", server=server)
    print(text.split("\n", 1)[1].rsplit("\n", 1)[0], flush=True)
    return text


def _kept_sections(text: str) -> dict[str, str]:
    return {m.group(1): m.group(0) for m in re.finditer(r"<!-- part:(\w+) -->.*?<!-- /part:\1 -->", text, re.S)}


def write_doc(new: dict[str, str]) -> None:
    """docs/benchmarks.md with `new` sections and the others as they were; any notes after the sections are kept."""
    old = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    kept = {**_kept_sections(old), **new}
    ends = [m.end() for m in re.finditer(r"<!-- /part:\w+ -->", old)]
    notes = old[ends[-1]:].strip() if ends else ""
    stand_in = any("stand-in" in s for s in kept.values())
    out = ["# Benchmarks", "", "Run them all with `make bench`, or one part with `make bench PART=<part>` (list, pages, "
           "bus, import, rollcall, scale); each section below says when and how it was last measured. RabbitMQ: the "
           "machine's broker at 127.0.0.1:5672.", "", GOALS, ""]
    if stand_in:
        out += [STAND_IN_CAVEAT, ""]
    for name in PARTS:
        if name in kept:
            out += [kept[name], ""]
    if notes:
        out += [notes, ""]
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text("\n".join(out), encoding="utf-8")


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=8, help="seconds per load step")
    parser.add_argument("--events", type=int, default=3000, help="events per bus path")
    parser.add_argument("--sizes", default=None, help="households per import (default: bench_import's sizes)")
    parser.add_argument("--grids", type=int, default=200, help="scale: grids of 500 households (10 are the "
                        "roll-call's community)")
    parser.add_argument("--scale-import", type=int, default=50000, help="scale: households imported (0: none)")
    parser.add_argument("--only", default=",".join(PARTS), help="parts to run, comma-separated")
    args = parser.parse_args(argv)
    logging.getLogger("pika").setLevel(logging.WARNING)  # the apps' JSON logging would print every pika connection
    only = [p for p in args.only.split(",") if p]
    unknown = [p for p in only if p not in PARTS]
    if unknown or not only:
        parser.error(f"unknown part {', '.join(unknown) or '(none)'}: choose from {', '.join(PARTS)}")
    if argv == ["--only", args.only] and len(only) == 1:
        command = f"make bench PART={only[0]}"
    else:
        command = f"python -m tests.bench.run {' '.join(argv)}" if argv else "make bench"
    new = {}
    with database() as (url, server):
        for name in PARTS:
            if name in only:
                new[name] = print_part(name, PARTS[name].measure(url, args), server, command=command)
                write_doc({name: new[name]})    # each part's section as soon as it is measured
    return 0


if __name__ == "__main__":
    sys.exit(main())
