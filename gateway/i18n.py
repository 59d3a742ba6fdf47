"""Languages: Chinese first (zh_CN), English switchable by a link; and services' messages in the user's language.

Message ids are English; the zh_CN catalog (translations/zh_Hans_CN: Babel names zh_CN so) carries the Chinese. Services answer
in English; `service_message` and `field_label` turn their reasons and field paths into the user's
language, so a 422 shows which field is wrong and why, in Chinese by default.
"""
import re

from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

LANG_COOKIE = "lang"
CARE_TAG_LABELS = {
    "elderly_alone": _l("Elderly living alone"),
    "empty_nest": _l("Empty-nest elderly"),
    "left_behind_child": _l("Left-behind child"),
    "child_in_difficulty": _l("Child in difficulty"),
    "disability": _l("Person with disability"),
    "subsistence": _l("Subsistence allowance"),
    "extreme_poverty": _l("Extreme poverty support"),
    "entitled_group": _l("Entitled group"),
}
RELATION_LABELS = {
    "head": _l("Head of household"), "spouse": _l("Spouse"), "child": _l("Child"), "parent": _l("Parent"),
    "grandchild": _l("Grandchild"), "grandparent": _l("Grandparent"), "sibling": _l("Sibling"),
    "in_law": _l("In-law"), "other": _l("Other"),
}
RESIDENCY_LABELS = {"registered": _l("Registered (hukou)"), "floating": _l("Floating population")}
GENDER_LABELS = {"male": _l("Male"), "female": _l("Female")}
BAND_LABELS = {"below": _l("Below 400"), "within": _l("Within 400–500"), "above": _l("Above 500")}
STATUS_LABELS = {"active": _l("Living here"), "left": _l("Moved out")}
ROLE_LABELS = {
    "grid_worker": _l("Grid worker"), "community_staff": _l("Community staff"), "mediator": _l("Mediator"),
    "team_leader": _l("Volunteer team leader"), "operator": _l("Operator"), "admin": _l("Administrator"),
}
# ---- volunteers ----------------------------------------------------------------------------------
SKILL_LABELS = {
    "elderly_care": _l("Elderly care"), "child_care": _l("Care for children"), "tutoring": _l("Homework help"),
    "disability_support": _l("Help for the disabled"), "first_aid": _l("First aid"), "medical": _l("Nursing"),
    "psychological": _l("Counselling"), "legal": _l("Legal advice"), "mediation": _l("Mediation"),
    "emergency_rescue": _l("Emergency rescue"), "driving": _l("Driving"), "repair": _l("Repairs"),
    "it": _l("IT"), "publicity": _l("Publicity"), "patrol": _l("Safety patrol"),
    "environment": _l("Environment and cleaning"), "culture_sports": _l("Culture and sports"),
    "sign_language": _l("Sign language"), "logistics": _l("Logistics"),
}
DAY_LABELS = {"mon": _l("Mon"), "tue": _l("Tue"), "wed": _l("Wed"), "thu": _l("Thu"), "fri": _l("Fri"),
              "sat": _l("Sat"), "sun": _l("Sun")}
SLOT_LABELS = {"morning": _l("morning"), "afternoon": _l("afternoon"), "evening": _l("evening")}
VOLUNTEER_STATUS_LABELS = {"registered": _l("Registered"), "waitlisted": _l("On the waiting list"),
                           "left": _l("Left")}
# A sign-up that matched a volunteer, as its own personal link shows it (staff see the same words).
CLAIM_STATUS_LABELS = {"pending": _l("Waiting for the team leader to confirm"), "rejected": _l("Not confirmed")}
MATCHED_ON_LABELS = {"phone": _l("Same phone"), "id_number": _l("Same ID number")}
LINK_STATE_LABELS = {"open": _l("Open"), "full": _l("Full (waiting list)"), "expired": _l("Expired"),
                     "closed": _l("Closed")}
HOURS_SOURCE_LABELS = {"task": _l("Task"), "drill": _l("Drill"), "self_report": _l("Reported service"),
                       "correction": _l("Correction")}
REPORT_STATUS_LABELS = {"pending": _l("Waiting for approval"), "approved": _l("Approved"), "rejected": _l("Rejected")}
CERT_STATUS_LABELS = {"valid": _l("Valid"), "revoked": _l("Revoked")}
NEED_STATUS_LABELS = {"open": _l("Open"), "filled": _l("Filled"), "closed": _l("Closed")}
NEED_KIND_LABELS = {"manual": _l("By hand"), "care": _l("Care visit"), "drill": _l("Drill helpers")}
RECURRENCE_LABELS = {"weekly": _l("Weekly"), "monthly": _l("Monthly")}
ASSIGNMENT_STATUS_LABELS = {"confirmed": _l("Confirmed"), "completed": _l("Completed"), "cancelled": _l("Cancelled")}

# ---- drills --------------------------------------------------------------------------------------
HAZARD_LABELS = {"natural_disaster": _l("Natural disaster"), "accident": _l("Accident"),
                 "public_health": _l("Public health event"), "social_security": _l("Social security event")}
LEVEL_LABELS = {"I": _l("Level I (most severe)"), "II": _l("Level II"), "III": _l("Level III"), "IV": _l("Level IV")}
DRILL_KIND_LABELS = {"comprehensive": _l("Comprehensive drill"), "shelter": _l("Shelter activation drill"),
                     "special": _l("Special drill")}
DRILL_STATUS_LABELS = {"planned": _l("Planned"), "live": _l("Running"), "completed": _l("Completed")}
TICK_LABELS = {"at_home": _l("At home"), "evacuated": _l("Evacuated"), "absent": _l("Absent"),
               "needs_help": _l("Needs help")}
SHELTER_STATUS_LABELS = {"ready": _l("Ready"), "limited": _l("Limited"), "unavailable": _l("Unavailable")}
SHELTER_KIND_LABELS = {"indoor": _l("Indoor"), "outdoor": _l("Outdoor")}
SUPPLY_CATEGORY_LABELS = {
    "food": _l("Food"), "water": _l("Water"), "medical": _l("Medical"), "rescue_equipment": _l("Rescue equipment"),
    "communication": _l("Communication"), "lighting": _l("Lighting"), "shelter_gear": _l("Shelter gear"),
    "clothing_bedding": _l("Clothing and bedding"), "fire": _l("Fire fighting"), "other": _l("Other"),
}
SUPPLY_PROBLEM_LABELS = {"expired": _l("Expired"), "expiring": _l("Expiring soon"), "missing": _l("Missing"),
                         "short": _l("Short"), "flagged": _l("Flagged"), "damaged": _l("Damaged")}
DUTY_LABELS = {"commander": _l("Commander"), "caller": _l("Calling and liaison"), "grid_check": _l("Grid check"),
               "evacuation": _l("Evacuation"), "shelter": _l("Shelter"), "supplies": _l("Supplies"),
               "medical": _l("Medical aid"), "security": _l("Security"), "other": _l("Other")}
ACTION_STATUS_LABELS = {"open": _l("Open"), "closed": _l("Closed")}
REQUIREMENT_LABELS = {"held": _l("Held"), "planned": _l("Planned"), "due": _l("Due"), "overdue": _l("Overdue")}

# ---- mediation -----------------------------------------------------------------------------------
DISPUTE_CATEGORY_LABELS = {"neighbours": _l("Neighbours"), "family": _l("Marriage and family"),
                           "property_management": _l("Property management"), "land": _l("Land"),
                           "labour": _l("Labour"), "other": _l("Other")}
URGENCY_LABELS = {"normal": _l("Normal"), "urgent": _l("Urgent")}
CHANNEL_LABELS = {"walk_in": _l("Walk-in"), "phone": _l("Phone call"), "grid_report": _l("Grid worker's report"),
                  "referral": _l("Referred from elsewhere")}
DISPUTE_STATUS_LABELS = {"registered": _l("Registered"), "assigned": _l("Assigned"), "paused": _l("Paused"),
                         "referred": _l("Referred"), "resolved": _l("Resolved"), "closed": _l("Closed"),
                         "archived": _l("Archived")}
OUTCOME_LABELS = {"agreement": _l("Agreement reached"), "no_agreement": _l("No agreement"),
                  "withdrawn": _l("Withdrawn by the applicant"), "referred": _l("Referred on")}
REFERRAL_KIND_LABELS = {"administrative": _l("Administrative mediation"), "judicial": _l("Judicial mediation"),
                        "judicial_confirmation": _l("Judicial confirmation")}
REFERRAL_RESULT_LABELS = {"settled": _l("Settled"), "not_settled": _l("Not settled"), "confirmed": _l("Confirmed"),
                          "not_confirmed": _l("Not confirmed")}
ESCALATION_LABELS = {"many_households": _l("Many households involved"), "violence_risk": _l("Risk of violence"),
                     "vulnerable_party": _l("Vulnerable party"), "other": _l("Other")}
RATING_LABELS = {"5": _l("Very satisfied"), "4": _l("Satisfied"), "3": _l("Neither"), "2": _l("Dissatisfied"),
                 "1": _l("Very dissatisfied")}
PARTY_ROLE_LABELS = {"applicant": _l("Applicant"), "respondent": _l("Respondent"), "other": _l("Other party")}
STEP_LABELS = {
    "registered": _l("Registered"), "assigned": _l("Assigned to a mediator"), "reassigned": _l("Reassigned"),
    "paused": _l("Clock paused"), "resumed": _l("Clock resumed"), "extended": _l("Deadline extended"),
    "session_held": _l("Mediation session"), "resolved": _l("Outcome recorded"), "referred": _l("Referred"),
    "referral_returned": _l("Referral result came back"), "escalated": _l("Escalated (special report)"),
    "closed": _l("Closed"), "archived": _l("Archived"), "survey_link_renewed": _l("New survey link"),
    "satisfaction_recorded": _l("Satisfaction answered"), "updated": _l("Case changed"),
    "due_recomputed": _l("Due date recomputed"), "party_moved": _l("A party moved"),
    "party_updated": _l("A party's details changed"), "deadline_warning": _l("Deadline near"),
    "overdue": _l("Past the deadline"),
}

FIELD_LABELS = {
    "address": _l("Address"), "building": _l("Building"), "unit": _l("Unit"), "room": _l("Room"),
    "residency": _l("Residency"), "phone": _l("Phone"), "moved_in_on": _l("Moved in on"),
    "moved_out_on": _l("Moved out on"), "residents": _l("Residents"), "name": _l("Name"),
    "gender": _l("Gender"), "birth_date": _l("Date of birth"), "id_number": _l("ID number"),
    "relation": _l("Relation"), "care_tags": _l("Special care"), "tag": _l("Special care"),
    "since": _l("Since"), "until": _l("Until"), "note": _l("Note"), "version": _l("Version"),
    "grid_id": _l("Grid"), "community_id": _l("Community"), "to_grid_id": _l("Target grid"),
    "new_grid_name": _l("New grid name"), "buildings": _l("Buildings"), "household_ids": _l("Households"),
    "reason": _l("Reason"), "visited_at": _l("Visited at"), "seen": _l("People seen"), "notes": _l("Notes"),
    "follow_up_needed": _l("Follow-up needed"), "follow_up": _l("Follow-up"), "client_id": _l("Entry id"),
    "q": _l("Search"), "page": _l("Page"), "file": _l("File"), "mode": _l("Import mode"), "_schema": _l("Form"),
    "format": _l("Format"), "dry_run": _l("Check only"), "row": _l("Row"),
    "skills": _l("Skills"), "availability": _l("When you are free"), "consent": _l("Consent"),
    "hours": _l("Hours"), "served_on": _l("Date of service"), "description": _l("Description"),
    "team_id": _l("Team"), "team_ids": _l("Teams"), "title": _l("Title"), "valid_days": _l("Valid for (days)"),
    "expires_at": _l("Expires"), "capacity": _l("Places"), "period_from": _l("From"), "period_to": _l("To"),
    "volunteer_id": _l("Volunteer"), "volunteer_ids": _l("Volunteers"), "starts_at": _l("Starts"),
    "ends_at": _l("Ends"), "people_wanted": _l("People wanted"), "recurrence": _l("Repeats"), "token": _l("Link"),
    "leader_ids": _l("Leaders"), "hazard": _l("Hazard"), "level": _l("Response level"), "kind": _l("Kind"),
    "scenario": _l("Scenario"), "plan_id": _l("Emergency plan"), "shelter_ids": _l("Shelters"),
    "helpers_wanted": _l("Volunteer helpers wanted"), "grid_ids": _l("Grids"), "location": _l("Location"),
    "quantity": _l("Quantity"), "required_quantity": _l("Quantity required"), "category": _l("Category"),
    "expires_on": _l("Expires on"), "owner_name": _l("Owner"), "due_on": _l("Due on"),
    "resolution": _l("Resolution"), "problems": _l("Problems found"), "text": _l("Text"), "status": _l("Status"),
    "summary": _l("Summary"), "response_steps": _l("Response steps"), "roles": _l("Roles"),
    "assembly_points": _l("Assembly points"), "shelter_id": _l("Shelter"), "supply_id": _l("Supply item"),
    "urgency": _l("Urgency"), "channel": _l("How it came in"), "referred_from": _l("Referred from"),
    "received_on": _l("Received on"), "violence_risk": _l("Risk of violence"),
    "households_involved": _l("Households involved"), "parties": _l("Parties"), "mediator_id": _l("Mediator"),
    "working_days": _l("Working days"), "held_on": _l("Held on"), "place": _l("Place"),
    "attendance": _l("Attendance"), "others_present": _l("Others present"), "terms": _l("Agreed terms"),
    "decided_on": _l("Decided on"), "to_body": _l("Referred to"), "result": _l("Result"),
    "returned_on": _l("Came back on"), "reasons": _l("Reasons"), "rating": _l("Your rating"),
    "comment": _l("Comment"), "household_id": _l("Household"), "resident_id": _l("Resident"),
    "organisation": _l("Organisation"), "vulnerable": _l("Vulnerable"),
}

# English reasons the services give (marshmallow's and their own), with the Chinese in the catalog.
_PATTERNS = [
    (r"Missing data for required field\.", lambda m: _("Required.")),
    (r"Field may not be null\.", lambda m: _("Required.")),
    (r"Not a valid date\.", lambda m: _("Not a valid date.")),
    (r"Not a valid datetime\.", lambda m: _("Not a valid date and time.")),
    (r"Not a valid (integer|number)\.", lambda m: _("Not a valid number.")),
    (r"Not a valid (string|boolean|list)\.", lambda m: _("Not a valid value.")),
    (r"Unknown field\.", lambda m: _("Unknown field.")),
    (r"Must be one of: .*", lambda m: _("Choose one of the listed options.")),
    (r"Length must be between (\d+) and (\d+)\.", lambda m: _("Use %(min)s to %(max)s characters.", min=m[1], max=m[2])),
    (r"Longer than maximum length (\d+)\.", lambda m: _("Use at most %(max)s characters.", max=m[1])),
    (r"Shorter than minimum length (\d+)\.", lambda m: _("Use at least %(min)s characters.", min=m[1])),
    (r"Length must be (\d+)\.", lambda m: _("Use exactly %(n)s characters.", n=m[1])),
    (r"String does not match expected pattern\.", lambda m: _("Not in the expected form.")),
    (r"use 1–40 letters, digits, - or _", lambda m: _("Use 1–40 letters, digits, - or _.")),
    (r"ID number must be 17 digits and a digit or X.*", lambda m: _("An ID number is 17 digits and a digit or X (18 characters).")),
    (r"ID number holds no valid birth date", lambda m: _("The ID number holds no valid date of birth.")),
    (r"ID number holds an impossible birth date", lambda m: _("The ID number holds an impossible date of birth.")),
    (r"ID number check character is wrong", lambda m: _("The ID number's check character is wrong; please check it.")),
    (r"give a full 18-character ID number or an 11-digit mobile number.*",
     lambda m: _("Give a full 18-character ID number or 11-digit mobile number; parts of numbers are not searched.")),
    (r"phone must be a mainland mobile number.*", lambda m: _("A mobile number has 11 digits and starts with 1.")),
    (r"exactly one resident must be the head of household.*", lambda m: _("Exactly one resident must be the head of household.")),
    (r"the same ID number appears twice", lambda m: _("The same ID number appears twice.")),
    (r"must not be before since", lambda m: _("Must not be before the start date.")),
    (r"must not be before the tag's start", lambda m: _("Must not be before the start date.")),
    (r"must not be in the future", lambda m: _("Must not be in the future.")),
    (r"say what needs following up", lambda m: _("Say what needs following up.")),
    (r"give grid_id or community_id", lambda m: _("Choose a grid or a community.")),
    (r"name the buildings or households to move", lambda m: _("Name the buildings or households to move.")),
    (r"a household is already registered at this address in this grid",
     lambda m: _("A household is already registered at this address in this grid.")),
    (r"changed by someone else; reload and try again",
     lambda m: _("Someone else changed this in the meantime; reload and try again.")),
    (r"the household has left the district.*", lambda m: _("The household has moved out; it can no longer be changed.")),
    (r"the household has already left", lambda m: _("The household has already moved out.")),
    (r"the household is already in this grid", lambda m: _("The household is already in this grid.")),
    (r"grid (\S+) not found", lambda m: _("Grid %(id)s was not found, or is outside your area.", id=m[1])),
    (r"household (\S+) not found", lambda m: _("The household was not found, or is outside your area.")),
    (r"resident (\S+) not found", lambda m: _("The resident was not found.")),
    (r"visit (\S+) not found", lambda m: _("The visit was not found, or is outside your area.")),
    (r"community not found", lambda m: _("The community was not found, or is outside your area.")),
    (r"no such grid; give new_grid_name to create it", lambda m: _("No such grid; give a name to create it.")),
    (r"no such grid", lambda m: _("No such grid in your area.")),
    (r"the target is the same grid", lambda m: _("The target is the same grid.")),
    (r"not active households of grid (\S+): (.*)", lambda m: _("Not households living in grid %(id)s: %(list)s", id=m[1], list=m[2])),
    (r"no active household in those buildings", lambda m: _("No household lives in those buildings.")),
    (r"(\d+) address\(es\) already registered in grid (\S+)",
     lambda m: _("%(n)s address(es) are already registered in grid %(id)s.", n=m[1], id=m[2])),
    (r"resident already carries (\S+)", lambda m: _("The resident already carries this special-care tag.")),
    (r"resident carries no active (\S+)", lambda m: _("The resident carries no such active tag.")),
    (r"this client_id belongs to another visit", lambda m: _("This entry id belongs to another visit.")),
    (r"this visit has no open follow-up", lambda m: _("This visit has no open follow-up.")),
    (r"resident (\S+) is not in this household", lambda m: _("A resident in the form is not in this household.")),
    # volunteers
    (r"this sign-up link does not exist.*", lambda m: _("This sign-up link does not exist; check the address or QR code.")),
    (r"this sign-up link expired on (\S+);.*",
     lambda m: _("This sign-up link expired on %(day)s. Please ask the community for a new one.", day=m[1])),
    (r"this sign-up link has been closed.*",
     lambda m: _("This sign-up link has been closed. Please ask the community for a new one.")),
    (r"not a grid of this community", lambda m: _("Not a grid of this community.")),
    (r"consent to the use of your data is required", lambda m: _("Please agree to the use of your data.")),
    (r"this sign-up crossed another one; send it again|the volunteer changed at the same moment; try again",
     lambda m: _("Please try again.")),
    (r"this sign-up was already (\S+)", lambda m: _("This sign-up has already been decided.")),
    (r"must not be blank", lambda m: _("Required.")),
    (r"each value once", lambda m: _("Choose each option once.")),
    (r"must be after starts_at", lambda m: _("Must be after the start.")),
    (r"must not be before period_from", lambda m: _("Must not be before the start of the period.")),
    (r"must be in the future", lambda m: _("Must be in the future.")),
    (r"must not be in the past", lambda m: _("Must not be in the past.")),
    (r"a link lasts at most (\d+) days", lambda m: _("A link lasts at most %(n)s days.", n=m[1])),
    (r"give expires_at or valid_days, not both", lambda m: _("Give an end date or a number of days, not both.")),
    (r"the team belongs to another community", lambda m: _("The team belongs to another community.")),
    (r"a team leader makes links for a team they lead.*", lambda m: _("Choose the team you lead.")),
    (r"the community already has a team of this name", lambda m: _("The community already has a team of this name.")),
    (r"the need wants (\d+) people; (\d+) already confirmed",
     lambda m: _("The need wants %(n)s people; %(k)s are already confirmed.", n=m[1], k=m[2])),
    (r"not registered volunteers of community (\S+): (.*)",
     lambda m: _("Not registered volunteers of this community: %(list)s", list=m[2])),
    (r"not teams of this community", lambda m: _("Not teams of this community.")),
    (r"the need is (already )?closed", lambda m: _("The need is closed.")),
    (r"the volunteer has (already )?left", lambda m: _("The volunteer has left.")),
    (r"the volunteer belongs to another community", lambda m: _("The volunteer belongs to another community.")),
    (r"the volunteer is not assigned to this need", lambda m: _("The volunteer is not assigned to this need.")),
    (r"no confirmed assignment of this volunteer", lambda m: _("This volunteer has no confirmed assignment.")),
    (r"the report was already (\S+)", lambda m: _("This report has already been decided.")),
    (r"already revoked", lambda m: _("Already revoked.")),
    (r"no recorded hours in this period", lambda m: _("No hours are recorded in this period.")),
    (r"report service within a year", lambda m: _("Report service of the last twelve months.")),
    (r"only registered volunteers report service", lambda m: _("Only registered volunteers report service.")),
    (r"you are not in this team", lambda m: _("You are not in this team.")),
    (r"no certificate has this serial.*",
     lambda m: _("No certificate has this serial: it is not genuine, or it was mistyped.")),
    (r"this personal link does not exist", lambda m: _("This personal link does not exist.")),
    (r"not an id", lambda m: _("Not a valid id.")),
    (r"(only|a team leader) .* may .*", lambda m: _("Your role may not do this.")),
    # drills
    (r"no grid of this community is known to the drills service yet",
     lambda m: _("No grid of this community is known to the drills service yet.")),
    (r"must not be more than a day in the past", lambda m: _("Must not be more than a day in the past.")),
    (r"a shelter drill opens at least one shelter", lambda m: _("A shelter drill opens at least one shelter.")),
    (r"no such plan in this community", lambda m: _("No such plan in this community.")),
    (r"a drill lasts at most 3 days", lambda m: _("A drill lasts at most 3 days.")),
    (r"the drill is (\S+); only a planned drill can start", lambda m: _("Only a planned drill can start.")),
    (r"the drill is (\S+); only a running drill can end", lambda m: _("Only a running drill can end.")),
    (r"the drill has not started.*", lambda m: _("The drill has not started.")),
    (r"the drill has ended.*", lambda m: _("The drill has ended; its roll-call is closed.")),
    (r"made after the drill ended", lambda m: _("Made after the drill ended.")),
    (r"this household is not on the grid's roll-call", lambda m: _("This household is not on the grid's roll-call.")),
    (r"this client_id belongs to another tick", lambda m: _("This entry id belongs to another tick.")),
    (r"this grid's roll-call is not ready; try again", lambda m: _("The roll-call is not ready yet; try again.")),
    (r"not grids of community (\S+): (.*)", lambda m: _("Not grids of this community: %(list)s", list=m[2])),
    (r"not shelters of community (\S+): (.*)", lambda m: _("Not shelters of this community: %(list)s", list=m[2])),
    (r"not one of this drill's grids", lambda m: _("Not one of this drill's grids.")),
    (r"no such supply item in this community", lambda m: _("No such supply item in this community.")),
    (r"the action is already closed", lambda m: _("The action is already closed.")),
    (r"this item has no open flag", lambda m: _("This item has no open flag.")),
    (r"no such active volunteer", lambda m: _("No such active volunteer.")),
    (r"shelters are opened while the drill runs", lambda m: _("Shelters are opened while the drill runs.")),
    (r"this volunteer has not checked in", lambda m: _("This volunteer has not checked in.")),
    (r"must not be before the check-in", lambda m: _("Must not be before the check-in.")),
    (r"drill (\S+) not found", lambda m: _("The drill was not found, or is outside your area.")),
    # mediation
    (r"a household party needs household_id", lambda m: _("Choose the household from the register.")),
    (r"a household party's details come from the register", lambda m: _("A household's details come from the register.")),
    (r"a person needs a name", lambda m: _("Give the person's name.")),
    (r"a person outside the register has no household_id", lambda m: _("A person outside the register has no household.")),
    (r"at least one party must be the applicant", lambda m: _("At least one party must be the applicant.")),
    (r"say where the case was referred from", lambda m: _("Say where the case was referred from.")),
    (r"the same household party appears twice", lambda m: _("The same household appears twice.")),
    (r"household (\S+) is not in the register of your area",
     lambda m: _("The household is not in the register of your area.")),
    (r"give grid_id or community_id.*", lambda m: _("Choose the grid or community of the case.")),
    (r"grid (\S+) is not in the register", lambda m: _("Grid %(id)s is not in the register.", id=m[1])),
    (r"grid (\S+) is not in community (\S+)", lambda m: _("Grid %(id)s is not in this community.", id=m[1])),
    (r"community (\S+) is not in the register", lambda m: _("Community %(id)s is not in the register.", id=m[1])),
    (r"must be within (\d+) days", lambda m: _("Must be within the last %(n)s days.", n=m[1])),
    (r"the case is archived.*", lambda m: _("The case is archived: it can no longer be changed, only annotated.")),
    (r"a case that is (\S+) cannot be .*", lambda m: _("Not possible while the case is %(status)s.",
                                                      status=DISPUTE_STATUS_LABELS.get(m[1], m[1]))),
    (r"(\S+) is not a mediator of community (\S+)", lambda m: _("Not a mediator of this community.")),
    (r"the case is already assigned to this mediator", lambda m: _("The case is already assigned to this mediator.")),
    (r"say why the case is reassigned", lambda m: _("Say why the case is reassigned.")),
    (r"must be between registration and today", lambda m: _("Must be between registration and today.")),
    (r"must be between the referral and today", lambda m: _("Must be between the referral and today.")),
    (r"not a party of this case: .*", lambda m: _("Not a party of this case.")),
    (r"assign a mediator first", lambda m: _("Assign a mediator first.")),
    (r"record the mediation session first", lambda m: _("Record the mediation session first.")),
    (r"an agreement needs at least two parties", lambda m: _("An agreement needs at least two parties.")),
    (r"an agreement needs its terms", lambda m: _("Write the agreed terms.")),
    (r"only an agreement has terms", lambda m: _("Only an agreement has terms.")),
    (r"only an agreement can be judicially confirmed", lambda m: _("Only an agreement can be judicially confirmed.")),
    (r"the agreement has already been through judicial confirmation",
     lambda m: _("The agreement has already been through judicial confirmation.")),
    (r"this referral's result is already recorded", lambda m: _("This referral's result is already recorded.")),
    (r"a (\S+) referral comes back as one of .*", lambda m: _("This result does not fit this kind of referral.")),
    (r"the case has already been escalated", lambda m: _("The case has already been escalated.")),
    (r"the applicant has already answered", lambda m: _("The applicant has already answered.")),
    (r"this survey has already been answered", lambda m: _("Thank you: this survey has already been answered.")),
    (r"this survey has closed", lambda m: _("This survey has closed.")),
    (r"no such survey", lambda m: _("No such survey; check the link.")),
    (r"the case has no agreement", lambda m: _("The case has no agreement.")),
    (r"the case has not been escalated", lambda m: _("The case has not been escalated.")),
    (r"the case is busy; try again", lambda m: _("The case is busy; try again.")),
    (r"dispute (\S+) not found", lambda m: _("The case was not found, or is outside your area.")),
    (r"referral (\S+) not found", lambda m: _("The referral was not found.")),
    (r"your account covers no community", lambda m: _("Your account covers no community.")),
    (r"use YYYY-MM", lambda m: _("Use the form YYYY-MM.")),
    (r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\.",
     lambda m: _("Use a number from %(min)s to %(max)s.", min=m[1], max=m[2])),
    (r"Must be greater than or equal to (\S+)\.", lambda m: _("Use a number of at least %(min)s.", min=m[1])),
    (r"Not a valid (date|datetime)\..*", lambda m: _("Not a valid date.")),
    (r"request is invalid", lambda m: _("Some entries need correcting.")),
    (r"role (\S+) may not (\S+)", lambda m: _("Your role may not do this.")),
    (r"database unavailable.*", lambda m: _("The service is unavailable; please try again shortly.")),
    (r"changed by someone else.*", lambda m: _("Someone else changed this in the meantime; reload and try again.")),
]
_COMPILED = [(re.compile("^" + p + "$", re.S), f) for p, f in _PATTERNS]


def select_locale() -> str:
    lang = request.cookies.get(LANG_COOKIE)
    return lang if lang in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


def is_english() -> bool:
    return select_locale() == "en"


def service_message(message: str) -> str:
    """A service's English reason in the user's language (unknown reasons pass through as they are)."""
    text = (message or "").strip()
    for pattern, render in _COMPILED:
        m = pattern.match(text)
        if m:
            return render(m)
    return text


def field_label(path: str) -> str:
    """'residents.1.id_number' -> 'Resident 2: ID number' in the user's language."""
    parts = [p for p in str(path).split(".") if p not in ("json", "query", "form", "files")]
    out = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if part == "residents" and i + 1 < len(parts) and parts[i + 1].isdigit():
            out.append(_("Resident %(n)s", n=int(parts[i + 1]) + 1))
            i += 2
            continue
        if part.isdigit():
            out.append(_("item %(n)s", n=int(part) + 1))
        elif part in FIELD_LABELS:
            out.append(str(FIELD_LABELS[part]))
        else:
            out.append(part)
        i += 1
    return _(": ").join(out) if out else str(FIELD_LABELS["_schema"])


def field_reasons(fields: dict) -> list[tuple[str, list[str]]]:
    """[(label, [reasons])] for a service's `fields`, in the user's language."""
    out = []
    for path, reasons in (fields or {}).items():
        if isinstance(reasons, str):
            reasons = [reasons]
        elif isinstance(reasons, dict):
            from shared.web.errors import flatten

            for sub, msgs in flatten(reasons, str(path)).items():
                out.append((field_label(sub), [service_message(m) for m in msgs]))
            continue
        out.append((field_label(path), [service_message(str(r)) for r in reasons]))
    return out
