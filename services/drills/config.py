"""The drills service's own settings, on top of shared.config's (read from the environment)."""
from shared.settings import Setting, Settings, between

SERVICE = "drills"

SETTINGS = Settings(
    Setting("DRILL_DUE_MONTH", int, 10,
            "after this month of the year a community's missing comprehensive or shelter drill is overdue",
            check=between(1, 12)),
    Setting("DRILL_LATE_TICK_MINUTES", int, 30,
            "minutes after a drill ended that a phone which was offline may still sync ticks made during it"),
    Setting("SUPPLY_EXPIRING_DAYS", int, 30, "days before its expiry date a supply item counts as expiring"),
    Setting("DRILL_COMPLETE_SHARE", float, 0.9,
            "share of households a drill's roll-call must account for before it counts towards the annual duty "
            "(below it the drill shows as held but incomplete; none accounted for never counts)",
            check=between(0.01, 1.0)),
)
