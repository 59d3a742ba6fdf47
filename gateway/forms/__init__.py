"""The gateway's forms (Flask-WTF: every form carries a CSRF token), one module per area. Labels are translated
lazily."""
from gateway.forms.accounts import ChangePasswordForm, LoginForm, UserForm
from gateway.forms.common import REQUIRED, WHOLE, BaseForm, MultiCheckboxField, PostForm, ReasonForm, choices, digits
from gateway.forms.drills import (
    ActionForm,
    AssistanceForm,
    CheckinForm,
    CloseActionForm,
    DrillForm,
    EndDrillForm,
    FlagForm,
    OpenShelterForm,
    PlanForm,
    ProblemForm,
    ShelterForm,
    SupplyForm,
)
from gateway.forms.mediation import (
    AnnotateForm,
    AssignForm,
    DisputeEditForm,
    EscalateForm,
    ExtendForm,
    IntakeForm,
    NoteForm,
    OutcomeForm,
    ReferForm,
    ReferralReturnForm,
    SessionForm,
    SurveyForm,
)
from gateway.forms.register import (
    CareFlagForm,
    FullExportForm,
    HouseholdForm,
    ImportForm,
    LeaveForm,
    LookupForm,
    MoveForm,
    RedrawForm,
    ResidentForm,
    RevealForm,
    VisitForm,
)
from gateway.forms.volunteers import (
    PHONE,
    CapacityForm,
    CertificateForm,
    CommunityNameForm,
    CompleteForm,
    ConfirmForm,
    CorrectionForm,
    DecisionForm,
    LeadersForm,
    LeaveSelfForm,
    LinkForm,
    MemberForm,
    NeedForm,
    SerialForm,
    ServiceReportForm,
    SignupForm,
    TeamForm,
    VolunteerEditForm,
    availability_choices,
)

__all__ = [
    "ChangePasswordForm", "LoginForm", "UserForm", "REQUIRED", "WHOLE", "BaseForm", "MultiCheckboxField", "PostForm",
    "ReasonForm", "choices", "digits", "ActionForm", "AssistanceForm", "CheckinForm", "CloseActionForm", "DrillForm",
    "EndDrillForm", "FlagForm", "OpenShelterForm", "PlanForm", "ProblemForm", "ShelterForm", "SupplyForm",
    "AnnotateForm", "AssignForm", "DisputeEditForm", "EscalateForm", "ExtendForm", "IntakeForm", "NoteForm",
    "OutcomeForm", "ReferForm", "ReferralReturnForm", "SessionForm", "SurveyForm", "CareFlagForm", "FullExportForm",
    "HouseholdForm", "ImportForm", "LeaveForm", "LookupForm", "MoveForm", "RedrawForm", "ResidentForm", "RevealForm",
    "VisitForm", "PHONE", "CapacityForm", "CertificateForm", "CommunityNameForm", "CompleteForm", "ConfirmForm",
    "CorrectionForm", "DecisionForm", "LeadersForm", "LeaveSelfForm", "LinkForm", "MemberForm", "NeedForm",
    "SerialForm", "ServiceReportForm", "SignupForm", "TeamForm", "VolunteerEditForm", "availability_choices",
]
