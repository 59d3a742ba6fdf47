"""Use cases of the drills service: the only place that changes documents and raises events, by aggregate.

Everything about a drill is an exercise (演练): events say `exercise: true`, responses carry the marker.
"""
from services.drills.service.actions import close_action, list_actions, open_action
from services.drills.service.checkins import check_in, check_out, drill_checkins, list_checkins
from services.drills.service.compliance import compliance
from services.drills.service.drills import (
    add_problem,
    end_drill,
    get_drill,
    list_drills,
    open_shelter,
    plan_drill,
    start_drill,
)
from services.drills.service.plans import (
    create_plan,
    drill_level,
    get_plan,
    list_plans,
    update_plan,
    update_plan_levels,
)
from services.drills.service.report import report
from services.drills.service.reports import month_figures
from services.drills.service.rollcall import board, drill_roster, grid_status, household_ticks, reconcile_live_drills
from services.drills.service.roster import grid_roster, list_grids, list_volunteers, set_assistance
from services.drills.service.schedule import cancel_drill, reschedule_drill
from services.drills.service.shelters import create_shelter, get_shelter, list_shelters, update_shelter
from services.drills.service.supplies import (
    book_movement,
    clear_supply_flags,
    create_supply,
    flag_supply,
    get_supply,
    list_supplies,
    supplies_report,
    update_supply,
)
from services.drills.service.ticks import record_tick, record_ticks

__all__ = ["add_problem", "board", "book_movement", "cancel_drill", "check_in", "check_out", "clear_supply_flags",
           "close_action", "compliance", "create_plan", "create_shelter", "create_supply", "drill_checkins",
           "drill_level", "drill_roster", "end_drill", "flag_supply", "get_drill", "get_plan", "get_shelter",
           "get_supply", "grid_roster", "grid_status", "household_ticks", "list_actions", "list_checkins",
           "list_drills", "list_grids", "list_plans", "list_shelters", "list_supplies", "list_volunteers",
           "month_figures", "open_action", "open_shelter", "plan_drill", "reconcile_live_drills", "record_tick", "record_ticks",
           "report", "reschedule_drill", "set_assistance", "start_drill", "supplies_report", "update_plan",
           "update_plan_levels", "update_shelter", "update_supply"]
