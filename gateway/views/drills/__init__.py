"""Emergency drills (应急演练). Every page says plainly that it is an exercise (演练).

- A grid worker's phone: the drills of their grids and the live roll-call of their grid: special-care
  households first, one tap per household (at home, evacuated, absent, needs help) (live.py).
- Community staff: plan, start and end drills, the live board (share accounted per grid, time since the
  start; it polls the service's compact board) (live.py), the after-action report and corrective actions and the
  year's compliance (review.py), plans, shelters and supplies (planning.py).
"""
from gateway.views.drills import live, planning, review  # noqa: F401  (they add their routes)
from gateway.views.drills.base import bp

BLUEPRINTS = [bp]
