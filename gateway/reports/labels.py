"""How a report's month and title read, in the reader's language: 2026年11月 / November 2026."""
from babel.dates import format_skeleton
from flask_babel import get_locale
from flask_babel import gettext as _

from shared import clock


def month_label(month: str) -> str:
    """"2026-11" as 2026年11月 in Chinese, November 2026 in English."""
    return format_skeleton("yMMMM", clock.month_start(month), locale=get_locale() or "zh_Hans_CN")


def report_title(*, place_name: str, month: str) -> str:
    """The report's title, e.g. 幸福社区 2026年11月情况报告."""
    return _("%(place)s %(month)s situation report", place=place_name, month=month_label(month))
