"""What the drills API accepts and returns, by aggregate. Every drill response carries `exercise: true` and
`marker: "演练"`."""
from services.drills.schemas.base import CommunityQuery
from services.drills.schemas.drills import (
    Board,
    CheckinCreate,
    CheckinRead,
    CheckoutRequest,
    DrillCreate,
    DrillQuery,
    DrillRead,
    DrillRoster,
    EndRequest,
    GridStatus,
    HouseholdTicks,
    ProblemCreate,
    ShelterOpenRequest,
    SingleTick,
    TickBatch,
    TickResults,
)
from services.drills.schemas.plans import PlanCreate, PlanQuery, PlanRead, PlanUpdate
from services.drills.schemas.reports import (
    ActionClose,
    ActionCreate,
    ActionQuery,
    ActionRead,
    ComplianceQuery,
    ComplianceRow,
    Report,
)
from services.drills.schemas.roster import AssistanceWrite, GridRead, GridRoster, SpecialResident, VolunteerRead
from services.drills.schemas.supplies import (
    ShelterCreate,
    ShelterRead,
    ShelterUpdate,
    SupplyClearRequest,
    SupplyCreate,
    SupplyFlagRequest,
    SupplyQuery,
    SupplyRead,
    SupplyReport,
    SupplyUpdate,
)

__all__ = ["ActionClose", "ActionCreate", "ActionQuery", "ActionRead", "AssistanceWrite", "Board", "CheckinCreate",
           "CheckinRead", "CheckoutRequest", "CommunityQuery", "ComplianceQuery", "ComplianceRow", "DrillCreate",
           "DrillQuery", "DrillRead", "DrillRoster", "EndRequest", "GridRead", "GridRoster", "GridStatus",
           "HouseholdTicks", "PlanCreate", "PlanQuery", "PlanRead", "PlanUpdate", "ProblemCreate", "Report",
           "ShelterCreate", "ShelterOpenRequest", "ShelterRead", "ShelterUpdate", "SingleTick", "SpecialResident",
           "SupplyClearRequest", "SupplyCreate", "SupplyFlagRequest", "SupplyQuery", "SupplyRead", "SupplyReport",
           "SupplyUpdate", "TickBatch", "TickResults", "VolunteerRead"]
