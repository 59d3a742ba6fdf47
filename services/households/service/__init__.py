"""Use cases of the grid register, by aggregate: the only place that changes documents and raises events.

- grids: streets, communities and grids with their figures;  streets: streets listed and renamed, a street's
  overview, the names of places;  households: register, edit, move, leave, care tags;
- reveals: personal data shown in full, each look recorded;  visits: visits and their follow-ups;
- figures: each grid's summary and the care households overdue a visit;  redraws: moving households between grids;
- imports and exports: the register as a CSV/XLSX sheet;  import_journal: an import held until it commits.

Loading in the caller's scope is `access`. The names views, handlers and the worker call are here.
"""
from services.households.service.access import grid_in_scope, household_in_scope, scope_query
from services.households.service.cadences import publish_cadences
from services.households.service.exports import export_register, export_register_revealed
from services.households.service.figures import overdue_visits, refresh_summary
from services.households.service.floating import permits_expiring
from services.households.service.grids import (
                                               create_community,
                                               create_grid,
                                               create_street,
                                               get_grid,
                                               list_communities,
                                               list_grids,
                                               update_grid,
)
from services.households.service.households import (
                                                    backfill_derived_fields,
                                                    clear_care,
                                                    flag_care,
                                                    get_household,
                                                    household_left,
                                                    list_households,
                                                    move_household,
                                                    new_household,
                                                    register_household,
                                                    update_household,
)
from services.households.service.imports import import_register, remove_stale_upload_copies
from services.households.service.network import (
                                                 create_residents_group,
                                                 create_ten_group,
                                                 delete_residents_group,
                                                 dissolve_ten_group,
                                                 drop_from_network,
                                                 get_ten_group,
                                                 grid_network,
                                                 household_network,
                                                 list_residents_groups,
                                                 remove_building_head,
                                                 reveal_building_head,
                                                 reveal_residents_group_leader,
                                                 set_building_head,
                                                 update_residents_group,
                                                 update_ten_group,
)
from services.households.service.redraws import apply_redraw, redraw
from services.households.service.reveals import lookup_households, reveal_household, reveal_records
from services.households.service.streets import (
                                                 get_street,
                                                 list_streets,
                                                 place_names,
                                                 street_overview,
                                                 update_community,
                                                 update_street,
)
from services.households.service.visits import (
                                                complete_follow_up,
                                                follow_household,
                                                list_visits,
                                                log_visit,
                                                open_follow_ups,
)

__all__ = [
    "create_residents_group", "create_ten_group", "delete_residents_group", "dissolve_ten_group", "drop_from_network",
    "get_ten_group", "grid_network", "household_network", "list_residents_groups", "remove_building_head",
    "reveal_building_head", "reveal_residents_group_leader", "set_building_head", "update_residents_group",
    "update_ten_group",
    "apply_redraw", "backfill_derived_fields", "clear_care", "complete_follow_up", "create_community", "create_grid",
    "create_street", "export_register", "export_register_revealed", "flag_care", "get_grid", "get_household",
    "grid_in_scope", "household_in_scope", "household_left", "import_register", "list_communities", "list_grids",
    "list_households", "list_visits", "log_visit", "lookup_households", "move_household", "new_household",
    "open_follow_ups", "overdue_visits", "permits_expiring", "redraw", "refresh_summary", "register_household",
    "remove_stale_upload_copies", "reveal_household", "reveal_records", "scope_query", "update_household",
    "get_street", "list_streets", "place_names", "street_overview", "update_community", "update_grid",
    "update_street", "follow_household", "publish_cadences",
]
