"""Every reason a service gives for refusing a request, by stable code.

A `Text` has a code (`grid.not_found`), the English the API answers with (`message`, a %-template of the
parameters) and the words a person reads (`page`: the message id of the gateway's Flask-Babel catalogs, marked
with `N_` so pybabel extracts it). A service raises `Invalid(households.GRID_NOT_FOUND(grid_id=…), field=…)`;
the gateway finds the code in `REASONS` and shows `page` in the user's language with the same parameters.
Each service keeps its texts in `shared/reasons/<service>.py`; the gateway imports only this package.
"""
from dataclasses import dataclass

from shared.errors import Reason


def N_(text: str) -> str:
    """Marks a message id for pybabel (gettext_noop): translated where it is shown, not here."""
    return text


@dataclass(frozen=True)
class Text:
    code: str
    message: str
    page: str

    def __call__(self, **params) -> Reason:
        """This reason with its parameters, as the English message the API answers with."""
        return Reason(self.message % params if params else self.message, code=self.code, params=params)


def collect(*modules) -> dict[str, Text]:
    """Every `Text` of these modules by code; a code given twice is a mistake."""
    out: dict[str, Text] = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, Text):
                if value.code in out and out[value.code] is not value:
                    raise ValueError(f"reason code {value.code} is defined twice")
                out[value.code] = value
    return out


def _registry() -> dict[str, Text]:
    from shared.reasons import common, drills, households, mediation, people, reports, volunteers

    return collect(common, people, households, volunteers, drills, mediation, reports)


REASONS: dict[str, Text] = {}
REASONS.update(_registry())
