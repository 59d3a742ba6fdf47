"""The households service's own settings, on top of shared.config's (read from the environment)."""
from shared.events.contracts import CARE_TAGS
from shared.settings import Setting, Settings, between

SERVICE = "households"


class TagDays(dict):
    """Days per care tag; written (docs, env) as it is read: `elderly_alone=7,empty_nest=14`."""

    def __str__(self) -> str:
        return ",".join(f"{tag}={days}" for tag, days in self.items())


def tag_days(text: str) -> TagDays:
    """`tag=days,tag=days` (spaces allowed) as a TagDays; ValueError on a pair that is not `word=number`."""
    out = TagDays()
    for pair in filter(None, (p.strip() for p in str(text).split(","))):
        tag, _, days = pair.partition("=")
        out[tag.strip()] = int(days)
    return out


def _cadences_problem(value: dict) -> str | None:
    unknown = sorted(set(value) - set(CARE_TAGS))
    if unknown:
        return f"names unknown care tags {', '.join(unknown)} (known: {', '.join(CARE_TAGS)})"
    wrong = sorted(tag for tag, days in value.items() if not 1 <= days <= 366)
    return f"must give each tag 1 to 366 days, not {', '.join(wrong)}" if wrong else None


# Policy-minded defaults: weekly where someone lives alone or a child is at risk, fortnightly for empty-nest and
# disabled residents, monthly for the assistance groups (visits there follow the monthly subsidy round).
DEFAULT_CADENCES = TagDays(elderly_alone=7, empty_nest=14, left_behind_child=7, child_in_difficulty=7, disability=14,
                           subsistence=30, extreme_poverty=30, entitled_group=30)

SETTINGS = Settings(
    Setting("VISIT_CADENCE_DAYS", int, 30, "days between care visits before a household is overdue, for a care "
            "tag VISIT_CADENCE_DAYS_BY_TAG leaves out", check=between(1, 366)),
    Setting("VISIT_CADENCE_DAYS_BY_TAG", tag_days, DEFAULT_CADENCES,
            "days between care visits per care tag, as tag=days,...; a household with several tags is due at the "
            "shortest; a tag left out uses VISIT_CADENCE_DAYS. Defaults: elderly_alone 7, empty_nest 14, "
            "left_behind_child 7, child_in_difficulty 7, disability 14, subsistence 30, extreme_poverty 30, "
            "entitled_group 30 (weekly for those living alone or children at risk, fortnightly for empty-nest and "
            "disabled residents, monthly for the assistance groups); published to volunteers (care.cadences_set)",
            check=_cadences_problem),
    Setting("GRID_BAND_MIN", int, 400, "fewest households a grid is meant to hold (below: the band's low end)",
            check=between(1, 100000)),
    Setting("GRID_BAND_MAX", int, 500, "most households a grid is meant to hold (above: the band's high end)",
            check=between(1, 100000)),
    Setting("GRID_WORKER_HOUSEHOLDS", int, 400, "households one full-time grid worker serves (staffing rule)",
            check=between(1, 100000)),
    Setting("GRID_WORKERS_MIN", int, 3, "fewest full-time grid workers a community needs (staffing rule)",
            check=between(0, 1000)),
    Setting("TEN_GROUP_MAX_HOUSEHOLDS", int, 15,
            "most households one ten-household group (十联户) may hold", check=between(2, 100)),
    Setting("MAX_IMPORT_ROWS", int, 150000, "rows one register import may hold (50,000 households are about "
            "125,000 rows)"),
    Setting("IMPORT_PARSE_MEMORY_MB", int, 1024, "address space of the child process that parses an upload"),
    Setting("IMPORT_PARSE_TIMEOUT_S", float, 900.0, "seconds the parsing child may take (a 125,000-row workbook "
            "takes minutes on a busy core)"),
    Setting("IMPORT_STALE_S", float, 120.0, "seconds an import journal may stay silent before it is recovered"),
    Setting("IMPORT_JOB_ATTEMPTS", int, 2, "times an import job is run from its stored upload when the API process "
            "running it dies part-way (each time its half-written households are taken back first); then it fails "
            "with 503, nothing written", check=between(1, 10)),
    Setting("IMPORT_JOB_POLL_S", float, 2.0, "seconds an API's import-job runner waits before looking again for "
            "jobs while another process's jobs are unfinished (it takes over those whose process died)",
            check=between(0.05, 60)),
    Setting("PERMIT_EXPIRY_NOTICE_DAYS", int, 30,
            "days before a residence permit (居住证) expires that it is listed for the grid worker",
            check=between(1, 366)),
    Setting("LOOKUP_HMAC_KEY", str, None,
            "key of the hashes a full ID number or phone is found by (unset: that look-up is off)",
            test_default="test-lookup-key", secret=True),
)
