"""The reasons the mediation service gives, by code (see shared.reasons).

A dispute that is not found, or lies outside the caller's area, is common.NOT_FOUND (what="dispute"); an edit that
crossed another is common.CHANGED_MEANWHILE.
"""
from shared.reasons import N_, Text

# ---- who may act on a case -----------------------------------------------------------------------
STAFF_ONLY = Text("mediation.staff_only", "only staff of the case's community may do this",
                  N_("Your role may not do this."))
ASSIGNED_MEDIATOR_ONLY = Text("mediation.assigned_mediator_only", "only the mediator assigned to this case may do this",
                              N_("Your role may not do this."))
MEDIATORS_ONLY = Text("mediation.mediators_only", "only a mediator enrols as one", N_("Your role may not do this."))
NO_COMMUNITY = Text("mediation.no_community", "your account covers no community",
                    N_("Your account covers no community."))
COMMUNITY_NOT_FOUND = Text("mediation.community_not_found", "community not found",
                           N_("The community was not found, or is outside your area."))

# ---- a case's status -----------------------------------------------------------------------------
ARCHIVED = Text("mediation.archived", "the case is archived: it can no longer be changed, only annotated",
                N_("The case is archived: it can no longer be changed, only annotated."))
# status is a case status (registered, paused...): the page shows its label; action is English for the API only.
NOT_WHILE = Text("mediation.not_while", "a case that is %(status)s cannot be %(action)s",
                 N_("Not possible while the case is %(status)s."))
NUMBER_BUSY = Text("mediation.number_busy", "could not take a case number; try again",
                   N_("Could not take a case number; please try again."))
CASE_BUSY = Text("mediation.case_busy", "the case is busy; try again", N_("The case is busy; try again."))

# ---- intake --------------------------------------------------------------------------------------
HOUSEHOLD_OUTSIDE = Text("mediation.household_outside",
                         "household %(household_id)s is not in the register of your area",
                         N_("The household is not in the register of your area."))
RESIDENT_ELSEWHERE = Text("mediation.resident_elsewhere",
                          "resident %(resident_id)s is not in household %(household_id)s",
                          N_("A resident in the form is not in this household."))
PLACE_NEEDED = Text("mediation.place_needed", "give grid_id or community_id (or a party from the register)",
                    N_("Choose the grid or community of the case."))
GRID_UNKNOWN = Text("mediation.grid_unknown", "grid %(id)s is not in the register",
                    N_("Grid %(id)s is not in the register."))
GRID_ELSEWHERE = Text("mediation.grid_elsewhere", "grid %(id)s is not in community %(community_id)s",
                      N_("Grid %(id)s is not in this community."))
COMMUNITY_UNKNOWN = Text("mediation.community_unknown", "community %(id)s is not in the register",
                         N_("Community %(id)s is not in the register."))
RECEIVED_IN_FUTURE = Text("mediation.received_in_future", "must not be in the future", N_("Must not be in the future."))
RECEIVED_TOO_LONG_AGO = Text("mediation.received_too_long_ago", "must be within %(n)s days",
                             N_("Must be within the last %(n)s days."))
HOUSEHOLD_ID_NEEDED = Text("mediation.household_id_needed", "a household party needs household_id",
                           N_("Choose the household from the register."))
DETAILS_FROM_REGISTER = Text("mediation.details_from_register", "a household party's details come from the register",
                             N_("A household's details come from the register."))
# The intake page always sends its applicant, and the other side only when named: a nameless person is its applicant.
NAME_NEEDED = Text("mediation.name_needed", "a person needs a name",
                   N_("Give the applicant's name, or choose the household from the register."))
PERSON_WITHOUT_HOUSEHOLD = Text("mediation.person_without_household",
                                "a person outside the register has no household_id",
                                N_("A person outside the register has no household."))
APPLICANT_NEEDED = Text("mediation.applicant_needed", "at least one party must be the applicant",
                        N_("At least one party must be the applicant."))
REFERRED_FROM_NEEDED = Text("mediation.referred_from_needed", "say where the case was referred from",
                            N_("Say where the case was referred from."))
HOUSEHOLD_TWICE = Text("mediation.household_twice", "the same household party appears twice",
                       N_("The same household appears twice."))
MONTH_FORM = Text("mediation.month_form", "use YYYY-MM", N_("Use the form YYYY-MM."))

# ---- handling ------------------------------------------------------------------------------------
NOT_A_MEDIATOR_HERE = Text("mediation.not_a_mediator_here",
                           "%(mediator_id)s is not a mediator of community %(community_id)s",
                           N_("Not a mediator of this community."))
ALREADY_ASSIGNED = Text("mediation.already_assigned", "the case is already assigned to this mediator",
                        N_("The case is already assigned to this mediator."))
REASSIGN_REASON_NEEDED = Text("mediation.reassign_reason_needed", "say why the case is reassigned",
                              N_("Say why the case is reassigned."))
NOT_SINCE_REGISTRATION = Text("mediation.not_since_registration", "must be between registration and today",
                              N_("Must be between registration and today."))
NOT_A_PARTY = Text("mediation.not_a_party", "not a party of this case: %(party_ids)s", N_("Not a party of this case."))
MEDIATOR_FIRST = Text("mediation.mediator_first", "assign a mediator first", N_("Assign a mediator first."))
SESSION_FIRST = Text("mediation.session_first", "record the mediation session first",
                     N_("Record the mediation session first."))
TWO_PARTIES = Text("mediation.two_parties", "an agreement needs at least two parties",
                   N_("An agreement needs at least two parties."))
TERMS_NEEDED = Text("mediation.terms_needed", "an agreement needs its terms", N_("Write the agreed terms."))
TERMS_ONLY_FOR_AGREEMENT = Text("mediation.terms_only_for_agreement", "only an agreement has terms",
                                N_("Only an agreement has terms."))
NO_AGREEMENT = Text("mediation.no_agreement", "the case has no agreement", N_("The case has no agreement."))

# ---- referrals and escalation --------------------------------------------------------------------
CONFIRM_AGREEMENT_ONLY = Text("mediation.confirm_agreement_only", "only an agreement can be judicially confirmed",
                              N_("Only an agreement can be judicially confirmed."))
ALREADY_CONFIRMED = Text("mediation.already_confirmed", "the agreement has already been through judicial confirmation",
                         N_("The agreement has already been through judicial confirmation."))
REFERRAL_NOT_FOUND = Text("mediation.referral_not_found", "referral %(id)s not found",
                          N_("The referral was not found."))
REFERRAL_RETURNED = Text("mediation.referral_returned", "this referral's result is already recorded",
                         N_("This referral's result is already recorded."))
# results: the results a referral of this kind comes back as, comma-separated
REFERRAL_RESULT_WRONG = Text("mediation.referral_result_wrong", "a %(kind)s referral comes back as one of %(results)s",
                             N_("This result does not fit this kind of referral."))
NOT_SINCE_REFERRAL = Text("mediation.not_since_referral", "must be between the referral and today",
                          N_("Must be between the referral and today."))
ALREADY_ESCALATED = Text("mediation.already_escalated", "the case has already been escalated",
                         N_("The case has already been escalated."))
NOT_ESCALATED = Text("mediation.not_escalated", "the case has not been escalated",
                     N_("The case has not been escalated."))

# ---- satisfaction survey and notifications -------------------------------------------------------
APPLICANT_ANSWERED = Text("mediation.applicant_answered", "the applicant has already answered",
                          N_("The applicant has already answered."))
NO_SUCH_SURVEY = Text("mediation.no_such_survey", "no such survey", N_("No such survey; check the link."))
SURVEY_ANSWERED = Text("mediation.survey_answered", "this survey has already been answered",
                       N_("Thank you: this survey has already been answered."))
SURVEY_CLOSED = Text("mediation.survey_closed", "this survey has closed", N_("This survey has closed."))
NOTIFICATION_NOT_FOUND = Text("mediation.notification_not_found", "notification not found",
                              N_("The notification was not found."))
SURVEY_RESIDENT_ONLY = Text("mediation.survey_resident_only", "only the resident answers the satisfaction survey",
                            N_("The satisfaction survey is answered by the applicant on their own phone, not by "
                               "staff: give them the link or the closing notice with its QR code."))
SURVEY_TOKEN_WRONG = Text("mediation.survey_token_wrong", "this is not the case's current survey link",
                          N_("This survey link is no longer the case's: give a new survey link."))

# ---- extensions: requested by the handler, approved or refused by community staff ------------------
EXTENSION_LIMIT = Text("mediation.extension_limit", "the case has had its %(n)s extension(s): no more may be requested",
                       N_("This case has had all the extensions allowed (%(n)s)."))
EXTENSION_PENDING = Text("mediation.extension_pending", "an extension request is already waiting for a decision",
                         N_("An extension request is already waiting for a decision."))
NO_PENDING_EXTENSION = Text("mediation.no_pending_extension", "no extension request is waiting for a decision",
                            N_("No extension request is waiting for a decision."))
OWN_EXTENSION = Text("mediation.own_extension", "an extension is approved by someone other than who requested it",
                     N_("Another member of the community staff must decide on your own extension request."))
DECISION_REASON_NEEDED = Text("mediation.decision_reason_needed", "say why the extension is approved or refused",
                              N_("Say why the extension is approved or refused."))

# ---- photos of requests and incidents (services/mediation/photos.py) -------------------------------
PHOTO_TOO_LARGE = Text("mediation.photo_too_large", "the photo is too large: at most %(max_mb)s MB",
                       N_("The photo is too large: at most %(max_mb)s MB."))
PHOTO_TYPE = Text("mediation.photo_type", "only JPEG, PNG or WebP photos", N_("Only JPEG, PNG or WebP photos."))
PHOTO_TOO_MANY_PIXELS = Text("mediation.photo_too_many_pixels",
                             "the photo has %(pixels)s pixels: at most %(max_pixels)s",
                             N_("The photo has too many pixels (%(pixels)s): at most %(max_pixels)s."))
PHOTO_DAMAGED = Text("mediation.photo_damaged", "the photo is damaged (truncated or corrupt)",
                     N_("The photo is damaged; take it again."))
PHOTOS_NEEDED = Text("mediation.photos_needed", "send at least one photo", N_("Choose at least one photo."))
PHOTO_LIMIT = Text("mediation.photo_limit", "a case keeps at most %(n)s photos of each stage",
                   N_("A case keeps at most %(n)s photos of the report and %(n)s of the handling."))
PHOTO_REPORTER_ONLY = Text("mediation.photo_reporter_only",
                           "only the reporter or the community's staff add photos of the report",
                           N_("Only the reporter or the community's staff add photos of the report."))
PHOTO_HANDLER_ONLY = Text("mediation.photo_handler_only",
                          "only the handler or the community's staff add photos of the handling",
                          N_("Only the handler or the community's staff add photos of the handling."))

# ---- the desk: dispatch, handling, verification, the resident's feedback link -------------------------
# kind is a case kind (dispute, request, incident); action is English for the API only.
NOT_FOR_KIND = Text("mediation.not_for_kind", "a %(kind)s cannot be %(action)s",
                    N_("Not possible for this kind of case."))
CLOSES_BY_VERIFICATION = Text("mediation.closes_by_verification",
                              "a request or incident closes when its handling is verified, not by closing it",
                              N_("A request or incident closes when its handling is verified."))
DEPARTMENT_UNKNOWN = Text("mediation.department_unknown", "%(department)s is not a department cases go to",
                          N_("Choose a department from the list."))
DISPATCH_PERSON_NEEDED = Text("mediation.dispatch_person_needed", "a dispatch to a person needs user_id and user_name",
                              N_("Choose the person the case goes to."))
DISPATCH_DEPARTMENT_NEEDED = Text("mediation.dispatch_department_needed", "a dispatch to a department needs department",
                                  N_("Choose the department the case goes to."))
DISPATCH_DUE_RANGE = Text("mediation.dispatch_due_range", "must be between today and the case's due date %(due_on)s",
                          N_("Must be between today and the case's due date."))
HANDLER_ONLY = Text("mediation.handler_only", "only the person the case is dispatched to, or community staff, "
                    "may record its handling", N_("Only the person the case is dispatched to, or community staff, "
                                                  "may record its handling."))
VERIFIER_ONLY = Text("mediation.verifier_only", "only who registered the case, or community staff, may verify it",
                     N_("Only who registered the case, or community staff, may verify its handling."))
SEND_BACK_REASON_NEEDED = Text("mediation.send_back_reason_needed", "say why the handling is sent back",
                               N_("Say why the handling is sent back."))
NO_SUCH_CASE_LINK = Text("mediation.no_such_case_link", "no such case link",
                         N_("No such case; check the link on your receipt."))
SURVEY_NOT_YET = Text("mediation.survey_not_yet", "the survey opens once the case is verified and closed",
                      N_("The survey opens once the handling of your case has been checked."))

# ---- the desk: intake of requests and incidents, help requests ------------------------------------------
# kind: request or incident (English for the API); the page says only that the category is not on the list.
CATEGORY_UNKNOWN = Text("mediation.category_unknown", "%(category)s is not a category of a %(kind)s",
                        N_("Choose a category from the list."))
INCIDENT_PLACE_NEEDED = Text("mediation.incident_place_needed", "say where it is: a building or a few words",
                             N_("Say where it is: choose the building or write a few words."))
LAT_LON_TOGETHER = Text("mediation.lat_lon_together", "give both lat and lon, or neither",
                        N_("The location needs both latitude and longitude."))
DATA_NOT_JSON = Text("mediation.data_not_json", "the form field `data` must hold a JSON object",
                     N_("The report could not be read; send it again."))
HELP_REQUESTS_ONLY = Text("mediation.help_requests_only", "only a request for help asks volunteers",
                          N_("Only a request for help can ask volunteers."))
HELP_ALREADY = Text("mediation.help_already", "this request has already asked volunteers",
                    N_("This request has already asked volunteers."))
NOT_IN_PAST = Text("mediation.not_in_past", "must not be in the past", N_("Must not be in the past."))
