"""The reasons the drills service gives, by code (see shared.reasons)."""
from shared.reasons import N_, Text

# ---- what a request may carry (schemas) ---------------------------------------------------------------
REF = Text("drills.ref", "use 1–64 letters, digits, - or _", N_("Use 1–64 letters, digits, - or _."))
CLIENT_ID = Text("drills.client_id", "use 8–64 letters, digits, - or _", N_("Use 8–64 letters, digits, - or _."))
SKILL = Text("drills.skill", "a skill code: lower-case letters and _", N_("A skill code: lower-case letters and _."))
ENDS_AFTER_START = Text("drills.ends_after_start", "must be after starts_at", N_("Must be after the start."))
NOT_BLANK = Text("drills.not_blank", "must say something", N_("Please write why."))
AT_MOST_3_DAYS = Text("drills.at_most_3_days", "a drill lasts at most 3 days", N_("A drill lasts at most 3 days."))

# ---- where things are -------------------------------------------------------------------------------
COMMUNITY_NOT_FOUND = Text("drills.community_not_found", "community not found",
                           N_("The community was not found, or is outside your area."))
GRID_NOT_IN_DRILL = Text("drills.grid_not_in_drill", "grid %(grid_id)s not found in this drill",
                         N_("The grid is not one of this drill's, or is outside your area."))
NOT_GRIDS_OF_COMMUNITY = Text("drills.not_grids_of_community", "not grids of community %(community_id)s: %(list)s",
                              N_("Not grids of this community: %(list)s"))
NOT_SHELTERS_OF_COMMUNITY = Text("drills.not_shelters_of_community",
                                 "not shelters of community %(community_id)s: %(list)s",
                                 N_("Not shelters of this community: %(list)s"))
NO_GRID_KNOWN = Text("drills.no_grid_known", "no grid of this community is known to the drills service yet",
                     N_("No grid of this community is known to the drills service yet."))
NO_SUCH_PLAN = Text("drills.no_such_plan", "no such plan in this community", N_("No such plan in this community."))
NO_SUCH_SUPPLY = Text("drills.no_such_supply", "no such supply item in this community",
                      N_("No such supply item in this community."))
NO_SUCH_DRILL_FOR_SUPPLY = Text("drills.no_such_drill_for_supply", "no such drill in this supply's community",
                                N_("No such drill in this supply's community."))
NOT_A_DRILL_GRID = Text("drills.not_a_drill_grid", "not one of this drill's grids",
                        N_("Not one of this drill's grids."))
NO_ACTIVE_VOLUNTEER = Text("drills.no_active_volunteer", "no such active volunteer", N_("No such active volunteer."))

# ---- a drill's course -----------------------------------------------------------------------------------
STARTS_LONG_AGO = Text("drills.starts_long_ago", "must not be more than a day in the past",
                       N_("Must not be more than a day in the past."))
SHELTER_DRILL_NEEDS_SHELTER = Text("drills.shelter_drill_needs_shelter", "a shelter drill opens at least one shelter",
                                   N_("A shelter drill opens at least one shelter."))
ONLY_PLANNED_STARTS = Text("drills.only_planned_starts", "the drill is %(status)s; only a planned drill can start",
                           N_("Only a planned drill can start."))
ONLY_RUNNING_ENDS = Text("drills.only_running_ends", "the drill is %(status)s; only a running drill can end",
                         N_("Only a running drill can end."))
NOT_STARTED = Text("drills.not_started", "the drill has not started", N_("The drill has not started."))
NO_REPORT_YET = Text("drills.no_report_yet", "the drill has not started; there is no report yet",
                     N_("The drill has not started."))
ENDED = Text("drills.ended", "the drill has ended", N_("The drill has ended; its roll-call is closed."))
ROLLCALL_CLOSED = Text("drills.rollcall_closed", "the drill has ended; its roll-call is closed",
                       N_("The drill has ended; its roll-call is closed."))
ONLY_PLANNED_CANCELS = Text("drills.only_planned_cancels",
                            "the drill is %(status)s; only a planned drill can be cancelled",
                            N_("Only a planned drill can be cancelled; a running or completed drill cannot."))
CANCELLED = Text("drills.cancelled", "the drill was cancelled", N_("The drill was cancelled."))
ONLY_PLANNED_MOVES = Text("drills.only_planned_moves", "the drill is %(status)s; only a planned drill can be moved",
                          N_("Only a planned drill can be moved to another time."))
SAME_START = Text("drills.same_start", "the drill already starts then", N_("The drill already starts at that time."))
SHELTERS_WHILE_LIVE = Text("drills.shelters_while_live", "shelters are opened while the drill runs",
                           N_("Shelters are opened while the drill runs."))

# ---- the roll-call ------------------------------------------------------------------------------------
ROLL_NOT_READY = Text("drills.roll_not_ready", "this grid's roll-call is not ready; try again",
                      N_("The roll-call is not ready yet; try again."))
NOT_ON_ROLL = Text("drills.not_on_roll", "this household is not on the grid's roll-call",
                   N_("This household is not on the grid's roll-call."))
TICK_AFTER_END = Text("drills.tick_after_end", "made after the drill ended", N_("Made after the drill ended."))
CLIENT_ID_TAKEN = Text("drills.client_id_taken", "this client_id belongs to another tick",
                       N_("This entry id belongs to another tick."))

# ---- volunteers at a drill ------------------------------------------------------------------------------
NOT_CHECKED_IN = Text("drills.not_checked_in", "this volunteer has not checked in",
                      N_("This volunteer has not checked in."))
OUT_BEFORE_IN = Text("drills.out_before_in", "must not be before the check-in", N_("Must not be before the check-in."))

# ---- plans' response levels -------------------------------------------------------------------------------
LEVEL_TWICE = Text("drills.level_twice", "level %(level)s is given twice", N_("Each response level only once."))

# ---- supplies booked in and out --------------------------------------------------------------------------
QUANTITY_BY_MOVEMENTS = Text("drills.quantity_by_movements",
                             "the stock changes only by booking supplies in or out (POST /supplies/<id>/movements)",
                             N_("The stock changes only by booking supplies in or out."))
OUT_MORE_THAN_STOCK = Text("drills.out_more_than_stock", "only %(stock)s in stock; cannot book out %(quantity)s",
                           N_("Only %(stock)s in stock; cannot book out %(quantity)s."))

# ---- supplies and corrective actions ----------------------------------------------------------------------
NO_OPEN_FLAG = Text("drills.no_open_flag", "this item has no open flag", N_("This item has no open flag."))
DUE_IN_PAST = Text("drills.due_in_past", "must not be in the past", N_("Must not be in the past."))
CLOSE_STAFF_OR_OWNER = Text("drills.close_staff_or_owner", "only community staff or the action's owner may close it",
                            N_("Your role may not do this."))
ACTION_CLOSED = Text("drills.action_closed", "the action is already closed", N_("The action is already closed."))
