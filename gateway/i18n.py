"""Languages: Chinese first (zh_CN), English switchable by a link; and the services' refusals in the user's language.

Message ids are English; the zh_CN catalog (translations/zh_Hans_CN: Babel names zh_CN so) carries the Chinese.
`make catalog` keeps it in step with the code: pybabel extracts the ids (gateway/babel.cfg: the gateway's code and
templates, and the `page` words of every refusal in shared/reasons) to translations/messages.pot, merges them into
messages.po (new ones arrive untranslated: translate them there) and compiles messages.mo; commit all three.
tests/unit/test_translations.py fails on any id without its Chinese.

A service refuses with English (`message`, `fields`) and, beside it, each reason's code and parameters (`reason`,
`field_reasons`: shared.web.errors). `reason_text` shows a code's words (shared.reasons.REASONS[code].page) in the
user's language with its parameters, and the English as it came for a code the gateway does not know;
`field_label` names a field path, so a 422 shows which field is wrong and why, in Chinese by default.
"""
from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shared.reasons import N_, REASONS
from shared.reasons.common import NOT_FOUND

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
    "grid_worker": _l("Grid worker"), "community_staff": _l("Community staff"), "street_staff": _l("Street staff"),
    "mediator": _l("Mediator"),
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
NEED_KIND_LABELS = {"manual": _l("By hand"), "care": _l("Care visit"), "drill": _l("Drill helpers"),
                    "request": _l("Request for help")}
RECURRENCE_LABELS = {"weekly": _l("Weekly"), "monthly": _l("Monthly")}


def recurrence_text(need: dict) -> str:
    """How often a need recurs: a standing care need every so many days (its care tag's cadence), else weekly or
    monthly; empty for a need that does not recur."""
    if need.get("recurrence") == "days":
        return _("Every %(n)s days", n=need["every_days"]) if need.get("every_days") else _("Regularly")
    label = RECURRENCE_LABELS.get(need.get("recurrence"))
    return str(label) if label else ""
ASSIGNMENT_STATUS_LABELS = {"confirmed": _l("Confirmed"), "completed": _l("Completed"), "cancelled": _l("Cancelled")}

# ---- drills --------------------------------------------------------------------------------------
HAZARD_LABELS = {"natural_disaster": _l("Natural disaster"), "accident": _l("Accident"),
                 "public_health": _l("Public health event"), "social_security": _l("Social security event")}
LEVEL_LABELS = {"I": _l("Level I (most severe)"), "II": _l("Level II"), "III": _l("Level III"), "IV": _l("Level IV")}
DRILL_KIND_LABELS = {"comprehensive": _l("Comprehensive drill"), "shelter": _l("Shelter activation drill"),
                     "special": _l("Special drill")}
DRILL_STATUS_LABELS = {"planned": _l("Planned"), "live": _l("Running"), "completed": _l("Completed"),
                       "cancelled": _l("Cancelled")}
MOVEMENT_LABELS = {"in": _l("Booked in"), "out": _l("Booked out")}
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
REQUIREMENT_LABELS = {"held": _l("Held"), "incomplete": _l("Held but incomplete"), "planned": _l("Planned"),
                      "due": _l("Due"), "overdue": _l("Overdue")}

# ---- mediation -----------------------------------------------------------------------------------
DISPUTE_CATEGORY_LABELS = {"neighbours": _l("Neighbours"), "family": _l("Marriage and family"),
                           "property_management": _l("Property management"), "land": _l("Land"),
                           "labour": _l("Labour"), "other": _l("Other")}
URGENCY_LABELS = {"normal": _l("Normal"), "urgent": _l("Urgent")}
CHANNEL_LABELS = {"walk_in": _l("Walk-in"), "phone": _l("Phone call"), "grid_report": _l("Grid worker's report"),
                  "referral": _l("Referred from elsewhere")}
DISPUTE_STATUS_LABELS = {"registered": _l("Registered"), "assigned": _l("Assigned"), "paused": _l("Paused"),
                         "referred": _l("Referred"), "resolved": _l("Resolved"), "closed": _l("Closed"),
                         "archived": _l("Archived"), "dispatched": _l("Dispatched"), "handled": _l("Handled")}
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
    "overdue": _l("Past the deadline"), "extension_requested": _l("Extension requested"),
    "extension_refused": _l("Extension refused"),
    "dispatched": _l("Dispatched"), "handled": _l("Handled"), "sent_back": _l("Sent back to be handled again"),
    "verified": _l("Verified"), "help_requested": _l("Volunteer help asked for"),
}

FIELD_LABELS = {
    "address": _l("Address"), "building": _l("Building"), "unit": _l("Unit"), "room": _l("Room"),
    "residency": _l("Residency"), "phone": _l("Phone"), "moved_in_on": _l("Moved in on"),
    "moved_out_on": _l("Moved out on"), "residents": _l("Residents"), "name": _l("Name"),
    "gender": _l("Gender"), "birth_date": _l("Date of birth"), "id_number": _l("ID number"),
    "relation": _l("Relation"), "care_tags": _l("Special care"), "tag": _l("Special care"),
    "hukou_place": _l("Place of household registration"), "permit_number": _l("Residence permit number"),
    "permit_expires_on": _l("Permit valid until"), "arrived_on": _l("Arrived here on"),
    "stay_months": _l("Expected stay (months)"),
    "since": _l("Since"), "until": _l("Until"), "note": _l("Note"), "version": _l("Version"),
    "grid_id": _l("Grid"), "community_id": _l("Community"), "to_grid_id": _l("Target grid"),
    "new_grid_name": _l("New grid name"), "buildings": _l("Buildings"), "household_ids": _l("Households"),
    "reason": _l("Reason"), "visited_at": _l("Visited at"), "seen": _l("People seen"), "notes": _l("Notes"),
    "follow_up_needed": _l("Follow-up needed"), "follow_up": _l("Follow-up"), "client_id": _l("Entry id"),
    "q": _l("Search"), "page": _l("Page"), "file": _l("File"), "mode": _l("Import mode"), "_schema": _l("Form"),
    "format": _l("Format"), "dry_run": _l("Check only"), "row": _l("Row"),
    "mapping": _l("Column mapping"), "head_name": _l("Name of the head of household"),
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
    "working_days": _l("Working days"), "held_on": _l("Held on"), "place": _l("Place"), "photos": _l("Photos"),
    "attendance": _l("Attendance"), "others_present": _l("Others present"), "terms": _l("Agreed terms"),
    "decided_on": _l("Decided on"), "to_body": _l("Referred to"), "result": _l("Result"),
    "returned_on": _l("Came back on"), "reasons": _l("Reasons"), "rating": _l("Your rating"),
    "comment": _l("Comment"), "household_id": _l("Household"), "resident_id": _l("Resident"),
    "organisation": _l("Organisation"), "vulnerable": _l("Vulnerable"),
}

# A parameter that is itself a code (a case's status, say) is shown by its label: {reason code: {param: labels}}.
PARAM_LABELS: dict[str, dict[str, dict]] = {"mediation.not_while": {"status": DISPUTE_STATUS_LABELS}}
# Reasons that stand for several (a sheet's column with more than one problem): their listed reasons, each in
# the user's language: {reason code: the parameter that lists them}.
JOINED = {"import.row.several": "reasons"}
# "<what> <id> not found" (shared.scope) in the words for what was not found (else the code's own).
NOT_FOUND_WORDS = {
    "grid": N_("Grid %(id)s was not found, or is outside your area."),
    "household": N_("The household was not found, or is outside your area."),
    "resident": N_("The resident was not found."),
    "visit": N_("The visit was not found, or is outside your area."),
    "community": N_("The community was not found, or is outside your area."),
    "drill": N_("The drill was not found, or is outside your area."),
    "dispute": N_("The case was not found, or is outside your area."),
    "referral": N_("The referral was not found."),
}


def select_locale() -> str:
    lang = request.cookies.get(LANG_COOKIE)
    return lang if lang in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


def reason_text(reason: dict | None, message: str = "") -> str:
    """A service's reason ({code, params}) in the user's language; `message`, the service's English, for a
    code the gateway does not know (or parameters its words do not fit)."""
    reason = reason if isinstance(reason, dict) else {}
    code = reason.get("code")
    text = REASONS.get(code) if isinstance(code, str) else None
    if text is None:
        return str(message or "")
    given = reason.get("params") if isinstance(reason.get("params"), dict) else {}
    if code in JOINED and isinstance(given.get(JOINED[code]), list):
        parts = [reason_text(r) for r in given[JOINED[code]]]
        return _("; ").join(parts) if parts and all(parts) else str(message or "")
    page = text.page
    if code == NOT_FOUND.code and str(given.get("what")) in NOT_FOUND_WORDS:
        page = NOT_FOUND_WORDS[str(given["what"])]
    words = _(page)
    if "%" not in page:
        return words
    params = {name: _param(code, name, value) for name, value in given.items()}
    try:
        return words % params
    except (KeyError, ValueError, TypeError):
        return str(message or "")


def _param(code: str, name: str, value) -> str:
    if isinstance(value, (list, tuple)):
        return _(", ").join(_param(code, name, v) for v in value)
    labels = PARAM_LABELS.get(code, {}).get(name)
    return str(labels.get(str(value), value)) if labels else value


def row_reason(problem: dict) -> str:
    """One problem of an import report's row ({"field"?, "reason", "code", "params"}) in the user's language,
    led by its field's name when it has one."""
    text = reason_text({"code": problem.get("code"), "params": problem.get("params")}, problem.get("reason") or "")
    return f"{field_label(problem['field'])}{_(': ')}{text}" if problem.get("field") else text


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


def field_texts(fields: dict | None, reasons: dict | None = None) -> dict[str, list[str]]:
    """{path: [reasons in the user's language]} for a service's `fields` (English, flattened if nested) and their
    `field_reasons` (the same paths, each reason's {code, params} in the same order)."""
    reasons = reasons if isinstance(reasons, dict) else {}
    out: dict[str, list[str]] = {}
    for path, messages in _flat(fields or {}).items():
        codes = reasons.get(path) if isinstance(reasons.get(path), list) else []
        out[path] = [reason_text(codes[i] if i < len(codes) else None, str(m)) for i, m in enumerate(messages)]
    return out


def field_reasons(fields: dict | None, reasons: dict | None = None) -> list[tuple[str, list[str]]]:
    """[(field's name, [reasons])] for a service's `fields` and `field_reasons`, in the user's language."""
    return [(field_label(path), texts) for path, texts in field_texts(fields, reasons).items()]


def _flat(fields, prefix: str = "") -> dict[str, list]:
    out: dict[str, list] = {}
    for key, value in (fields.items() if isinstance(fields, dict) else []):
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(_flat(value, path))
        else:
            out.setdefault(path, []).extend(value if isinstance(value, list) else [value])
    return out
