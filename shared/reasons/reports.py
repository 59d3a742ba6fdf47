"""Reasons the gateway gives when it will not issue a monthly report (情况报告)."""
from shared.reasons import N_, Text

MONTH_NOT_OVER = Text("report.month_not_over", "month %(month)s is not over yet: a report covers a whole month",
                      N_("%(month)s is not over yet: a report covers a whole past month."))
SECTIONS_UNAVAILABLE = Text("report.sections_unavailable",
                            "some services did not answer (%(services)s): no report was issued",
                            N_("Some of the figures are unavailable right now, so no report was issued. Please try again later."))
BUSY = Text("report.busy", "someone else is issuing this report at the same time: try again",
            N_("Someone else is issuing this report right now. Please try again."))
