"""The gateway's forms (Flask-WTF: every form carries a CSRF token), one module per area. Labels are translated
lazily."""
from gateway.forms.common import (CODE, REQUIRED, WHOLE, BaseForm, choices, MultiCheckboxField, digits, PostForm,
                                  ReasonForm)
from gateway.forms.accounts import LoginForm, UserForm
from gateway.forms.register import (RevealForm, LookupForm, VisitForm, ResidentForm, HouseholdForm, MoveForm,
                                    LeaveForm, CareFlagForm, RedrawForm, ImportForm, FullExportForm)
from gateway.forms.volunteers import (PHONE, availability_choices, SignupForm, ServiceReportForm, LeaveSelfForm,
                                      SerialForm, LinkForm, CapacityForm, TeamForm, LeadersForm, MemberForm,
                                      NeedForm, ConfirmForm, CompleteForm, DecisionForm, CertificateForm,
                                      VolunteerEditForm, CorrectionForm, CommunityNameForm)
from gateway.forms.drills import (EndDrillForm, ActionForm, CloseActionForm, DrillForm, PlanForm, ShelterForm,
                                  SupplyForm, FlagForm, CheckinForm, OpenShelterForm, ProblemForm, AssistanceForm)
from gateway.forms.mediation import (IntakeForm, AssignForm, ExtendForm, ReferForm, ReferralReturnForm, EscalateForm,
                                     NoteForm, AnnotateForm, SessionForm, OutcomeForm, SurveyForm, DisputeEditForm)

__all__ = ["CODE", "REQUIRED", "WHOLE", "BaseForm", "choices", "MultiCheckboxField", "digits", "PostForm",
           "ReasonForm", "LoginForm", "UserForm", "RevealForm", "LookupForm", "VisitForm", "ResidentForm",
           "HouseholdForm", "MoveForm", "LeaveForm", "CareFlagForm", "RedrawForm", "ImportForm", "FullExportForm",
           "PHONE", "availability_choices", "SignupForm", "ServiceReportForm", "LeaveSelfForm", "SerialForm",
           "LinkForm", "CapacityForm", "TeamForm", "LeadersForm", "MemberForm", "NeedForm", "ConfirmForm",
           "CompleteForm", "DecisionForm", "CertificateForm", "VolunteerEditForm", "CorrectionForm",
           "CommunityNameForm", "EndDrillForm", "ActionForm", "CloseActionForm", "DrillForm", "PlanForm",
           "ShelterForm", "SupplyForm", "FlagForm", "CheckinForm", "OpenShelterForm", "ProblemForm",
           "AssistanceForm", "IntakeForm", "AssignForm", "ExtendForm", "ReferForm", "ReferralReturnForm",
           "EscalateForm", "NoteForm", "AnnotateForm", "SessionForm", "OutcomeForm", "SurveyForm", "DisputeEditForm"]
