"""The reasons the volunteers service gives, by code (see shared.reasons)."""
from shared.reasons import N_, Text

# ---- what a request may carry (schemas) ---------------------------------------------------------------
HOURS_FORM = Text("volunteers.hours_form", "Not a valid number.", N_("Hours as a number, e.g. 2 or 1.5."))
EACH_ONCE = Text("volunteers.each_once", "each value once", N_("Choose each option once."))
NOT_BLANK = Text("volunteers.not_blank", "must not be blank", N_("Required."))
CONSENT_REQUIRED = Text("volunteers.consent_required", "consent to the use of your data is required",
                        N_("Please agree to the use of your data."))
EXPIRY_ONE_WAY = Text("volunteers.expiry_one_way", "give expires_at or valid_days, not both",
                      N_("Give an end date or a number of days, not both."))
ENDS_AFTER_START = Text("volunteers.ends_after_start", "must be after starts_at", N_("Must be after the start."))
PERIOD_ORDER = Text("volunteers.period_order", "must not be before period_from",
                    N_("Must not be before the start of the period."))
COMMUNITY_OR_VOLUNTEER = Text("volunteers.community_or_volunteer", "give community_id or volunteer_id",
                              N_("Choose a community or a volunteer."))

# ---- who may act: community staff, or a leader of the team concerned -------------------------------------
LEADERS_ONLY = Text("volunteers.leaders_only",
                    "only community staff or a leader of the volunteer's team may %(action)s",
                    N_("Your role may not do this."))
NEED_LEADERS_ONLY = Text("volunteers.need_leaders_only",
                         "only community staff or a leader of the need's teams may do this",
                         N_("Your role may not do this."))
NEEDS_BY_STAFF_OR_LEADERS = Text("volunteers.needs_by_staff_or_leaders",
                                 "only community staff or a team leader of this community opens needs",
                                 N_("Your role may not do this."))
LINK_FOR_LED_TEAM = Text("volunteers.link_for_led_team", "a team leader makes links for a team they lead: give team_id",
                         N_("Choose the team you lead."))
REVOKE_BY_STAFF = Text("volunteers.revoke_by_staff", "only community staff revoke certificates",
                       N_("Your role may not do this."))

# ---- places and teams ---------------------------------------------------------------------------------
NOT_A_GRID_OF_COMMUNITY = Text("volunteers.not_a_grid_of_community", "not a grid of this community",
                               N_("Not a grid of this community."))
TEAM_OF_OTHER_COMMUNITY = Text("volunteers.team_of_other_community", "the team belongs to another community",
                               N_("The team belongs to another community."))
NOT_TEAMS_OF_COMMUNITY = Text("volunteers.not_teams_of_community", "not teams of this community",
                              N_("Not teams of this community."))
TEAM_NAME_TAKEN = Text("volunteers.team_name_taken", "the community already has a team of this name",
                       N_("The community already has a team of this name."))

# ---- sign-up links and personal links -----------------------------------------------------------------
IN_THE_FUTURE = Text("volunteers.in_the_future", "must be in the future", N_("Must be in the future."))
LINK_AT_MOST_DAYS = Text("volunteers.link_at_most_days", "a link lasts at most %(n)s days",
                         N_("A link lasts at most %(n)s days."))
NO_SUCH_LINK = Text("volunteers.no_such_link", "this sign-up link does not exist; check the address or QR code",
                    N_("This sign-up link does not exist; check the address or QR code."))
LINK_EXPIRED = Text("volunteers.link_expired", "this sign-up link expired on %(day)s; ask the community for a new one",
                    N_("This sign-up link expired on %(day)s. Please ask the community for a new one."))
LINK_CLOSED = Text("volunteers.link_closed", "this sign-up link has been closed; ask the community for a new one",
                   N_("This sign-up link has been closed. Please ask the community for a new one."))
SIGNUP_CROSSED = Text("volunteers.signup_crossed", "this sign-up crossed another one; send it again",
                      N_("Please try again."))
CLAIM_DECIDED = Text("volunteers.claim_decided", "this sign-up was already %(status)s",
                     N_("This sign-up has already been decided."))
NO_SUCH_PERSONAL_LINK = Text("volunteers.no_such_personal_link", "this personal link does not exist",
                             N_("This personal link does not exist."))

# ---- volunteers -----------------------------------------------------------------------------------------
HAS_LEFT = Text("volunteers.has_left", "the volunteer has left", N_("The volunteer has left."))
ALREADY_LEFT = Text("volunteers.already_left", "the volunteer has already left", N_("The volunteer has left."))
VOLUNTEER_CHANGED = Text("volunteers.volunteer_changed", "the volunteer changed at the same moment; try again",
                         N_("Please try again."))
VOLUNTEER_OF_OTHER_COMMUNITY = Text("volunteers.volunteer_of_other_community",
                                    "the volunteer belongs to another community",
                                    N_("The volunteer belongs to another community."))

# ---- needs and assignments ------------------------------------------------------------------------------
NEED_CLOSED = Text("volunteers.need_closed", "the need is closed", N_("The need is closed."))
NEED_ALREADY_CLOSED = Text("volunteers.need_already_closed", "the need is already closed", N_("The need is closed."))
NEED_WANTS = Text("volunteers.need_wants", "the need wants %(n)s people; %(k)s already confirmed",
                  N_("The need wants %(n)s people; %(k)s are already confirmed."))
NOT_REGISTERED_VOLUNTEERS = Text("volunteers.not_registered_volunteers",
                                 "not registered volunteers of community %(community_id)s: %(list)s",
                                 N_("Not registered volunteers of this community: %(list)s"))
NO_CONFIRMED_ASSIGNMENT = Text("volunteers.no_confirmed_assignment", "no confirmed assignment of this volunteer",
                               N_("This volunteer has no confirmed assignment."))
NOT_ASSIGNED = Text("volunteers.not_assigned", "the volunteer is not assigned to this need",
                    N_("The volunteer is not assigned to this need."))

# ---- hours and self-reported service ------------------------------------------------------------------
NOT_IN_THE_FUTURE = Text("volunteers.not_in_the_future", "must not be in the future", N_("Must not be in the future."))
ALREADY_CORRECTED = Text("volunteers.already_corrected",
                         "this line was already corrected by %(entry_id)s; correct that one",
                         N_("This line was already corrected; correct the newer line."))
LINE_SAYS_THIS = Text("volunteers.line_says_this", "the line already says this", N_("The line already says this."))
CORRECTED_AT_SAME_MOMENT = Text("volunteers.corrected_at_same_moment",
                                "someone corrected this line at the same moment; reload",
                                N_("Someone else changed this in the meantime; reload and try again."))
ONLY_REGISTERED_REPORT = Text("volunteers.only_registered_report", "only registered volunteers report service",
                              N_("Only registered volunteers report service."))
REPORT_WITHIN_YEAR = Text("volunteers.report_within_year", "report service within a year",
                          N_("Report service of the last twelve months."))
NOT_IN_TEAM = Text("volunteers.not_in_team", "you are not in this team", N_("You are not in this team."))
REPORT_DECIDED = Text("volunteers.report_decided", "the report was already %(status)s",
                      N_("This report has already been decided."))

# ---- certificates ---------------------------------------------------------------------------------------
NO_HOURS_IN_PERIOD = Text("volunteers.no_hours_in_period", "no recorded hours in this period",
                          N_("No hours are recorded in this period."))
NO_SERIAL = Text("volunteers.no_serial", "could not allocate a serial; try again", N_("Please try again."))
ALREADY_REVOKED = Text("volunteers.already_revoked", "already revoked", N_("Already revoked."))
NOT_YOUR_CERTIFICATE = Text("volunteers.not_your_certificate", "no such certificate of yours",
                            N_("No such certificate of yours."))
NO_SUCH_SERIAL = Text("volunteers.no_such_serial", "no certificate has this serial: it is not genuine, or mistyped",
                      N_("No certificate has this serial: it is not genuine, or it was mistyped."))
