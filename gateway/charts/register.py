"""The grid register as charts: grid sizes against the band and care households overdue a visit per grid, from the
households service's JSON (the grids list, a street's overview, the month figures); the same on pages and in reports."""
from flask_babel import gettext as _

from gateway.charts.model import Bar, BarChart


def grid_label(row: dict, names: dict) -> str:
    """A grid's name; "community · grid" where the row names its community (a street's grids)."""
    grid = names.get(row["grid_id"], row["grid_id"])
    if row.get("community_id"):
        return f"{names.get(row['community_id'], row['community_id'])} · {grid}"
    return grid


def grid_sizes(rows: list[dict], *, title: str, names: dict, band: tuple[int, int]) -> BarChart:
    """A bar per grid (`rows`: [{grid_id, households, community_id?}]) against the band (GRID_BAND_MIN, MAX):
    grids outside it stand out."""
    return BarChart(title=title, unit=_(" households"), band=(band[0], band[1]), value_name=_("Households"),
                    bars=tuple(Bar(label=grid_label(row, names), value=row["households"]) for row in rows))


def overdue_visits(rows: list[dict], names: dict) -> BarChart:
    """A bar per grid (`rows`: [{grid_id, overdue}]): care households overdue a visit; no target, fewer is better."""
    return BarChart(title=_("Care households overdue a visit, per grid"), unit=_(" households"),
                    higher_is_better=False, value_name=_("Overdue"),
                    bars=tuple(Bar(label=grid_label(row, names), value=row["overdue"]) for row in rows))


def band_of(rows: list[dict], default: tuple[int, int] = (400, 500)) -> tuple[int, int]:
    """The band the households service sent with its grid rows (`band_min`, `band_max`)."""
    first = rows[0] if rows else {}
    return first.get("band_min", default[0]), first.get("band_max", default[1])


def grids_page_charts(grids: list[dict], *, title: str, care: bool) -> list[tuple[str, BarChart, str]]:
    """The charts of a community's grids page, from GET /grids rows (overdue visits only for `care` readers):
    [(chart id, chart, summary)]."""
    names = {g["id"]: g["name"] for g in grids}
    band = band_of(grids)
    sizes = grid_sizes([{"grid_id": g["id"], "households": g["households"]} for g in grids], title=title,
                       names=names, band=band)
    out = [("grid-sizes", sizes, _("Households per grid against the band of %(min)s to %(max)s.", min=band[0],
                                   max=band[1]))]
    if care:
        rows = [{"grid_id": g["id"], "overdue": g.get("care_households_overdue", 0)} for g in grids]
        out.append(("overdue-visits", overdue_visits(rows, names), _("Care households overdue a visit, per grid.")))
    return out


def street_grid_sizes(street: dict) -> BarChart:
    """Every grid of a street against the band, a bar per grid labelled "community · grid", from its overview."""
    communities = street["communities"]
    names = {c["id"]: c["name"] for c in communities}
    rows = []
    for c in communities:
        for g in c.get("grid_sizes", []):
            names[g["grid_id"]] = g["name"]
            rows.append({"grid_id": g["grid_id"], "community_id": c["id"], "households": g["households"]})
    return grid_sizes(rows, title=_("Households per grid in %(street)s", street=street["name"]), names=names,
                      band=band_of(communities))
