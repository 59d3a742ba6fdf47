"""HTTP route of the register's figures for the monthly report (情况报告制)."""
from services.households.report_schemas import MonthFigures
from services.households.service.reports import month_figures
from shared.schemas import MonthQuery
from shared.web.blueprint import Blueprint
from shared.web.factory import caller

bp = Blueprint("household_reports", __name__, url_prefix="/reports", description="The register's month figures")


@bp.get("/month")
@bp.arguments(MonthQuery, location="query")
@bp.response(200, MonthFigures)
def month(args):
    """One community's month: grid sizes against the band at the month's end, visits logged, care visits due and
    done, care households overdue per grid (counts only; definitions in service/reports.py)."""
    return month_figures(actor=caller(), **args)
