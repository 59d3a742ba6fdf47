"""Use cases of the volunteers service, by aggregate: the only place that changes documents and raises events.

- communities: names, grids and figures against the targets;  links: sign-up links, places, the waiting list;
- signup: the public sign-up, the claims it raises, personal links;  people: volunteers and their own page;
- teams;  needs: needs, assignments, matching;  hours: the ledger and its corrections;
- reports: self-reported service;  certificates: 志愿服务证明 and their public check;
- month: a community's month in figures for the monthly report, and new volunteers per month;
- care_needs, drill_helpers and case_needs: needs opened and hours credited from other services' events.

Who may do what, and loading in the caller's scope, is `access`. The names views and handlers call are here.
"""
from services.volunteers.service.care_needs import follow_cadences, on_cadences_set, on_care_event
from services.volunteers.service.case_needs import on_case_event
from services.volunteers.service.certificates import (
                                                      certificate_pdf,
                                                      get_certificate,
                                                      issue_certificate,
                                                      list_certificates,
                                                      own_certificate_pdf,
                                                      revoke_certificate,
                                                      verify_certificate,
)
from services.volunteers.service.communities import community_figures, list_communities, list_grids, name_community
from services.volunteers.service.drill_helpers import on_drill_completed, on_drill_helpers_event, on_drill_planned
from services.volunteers.service.hours import correct_hours, ledger
from services.volunteers.service.links import (
                                                      close_link,
                                                      create_link,
                                                      get_link,
                                                      link_qr,
                                                      list_links,
                                                      public_link,
                                                      set_capacity,
)
from services.volunteers.service.month import month_figures, signups_by_month
from services.volunteers.service.needs import (
                                                      cancel_assignment,
                                                      close_need,
                                                      complete_assignment,
                                                      confirm_assignments,
                                                      create_need,
                                                      get_need,
                                                      list_needs,
                                                      matches,
)
from services.volunteers.service.people import (
                                                      get_volunteer,
                                                      leave,
                                                      leave_self,
                                                      list_volunteers,
                                                      own_page,
                                                      reveal_volunteer,
                                                      update_volunteer,
)
from services.volunteers.service.reports import (
                                                      approve_report,
                                                      list_reports,
                                                      reject_report,
                                                      repair_approved_reports,
                                                      report_service,
)
from services.volunteers.service.signup import (
                                                      confirm_claim,
                                                      hash_plain_tokens,
                                                      issue_personal_link,
                                                      list_claims,
                                                      personal_page,
                                                      reject_claim,
                                                      signup,
)
from services.volunteers.service.teams import (
                                                      add_member,
                                                      create_team,
                                                      get_team,
                                                      led_teams,
                                                      list_teams,
                                                      remove_member,
                                                      set_leaders,
)

__all__ = [
    "add_member", "approve_report", "cancel_assignment", "certificate_pdf", "close_link", "close_need",
    "community_figures", "complete_assignment", "confirm_assignments", "confirm_claim", "correct_hours",
    "create_link", "create_need", "create_team", "get_certificate", "get_link", "get_need", "get_team",
    "get_volunteer", "hash_plain_tokens", "issue_certificate", "issue_personal_link", "leave", "leave_self",
    "led_teams", "ledger", "link_qr", "list_certificates", "list_claims", "list_communities", "list_grids",
    "list_links", "list_needs", "list_reports", "list_teams", "list_volunteers", "matches", "month_figures", "name_community",
    "follow_cadences", "on_cadences_set", "on_care_event", "on_case_event", "on_drill_completed", "on_drill_helpers_event", "on_drill_planned", "own_certificate_pdf", "own_page", "personal_page",
    "public_link", "reject_claim", "reject_report", "remove_member", "repair_approved_reports", "report_service",
    "reveal_volunteer", "revoke_certificate", "set_capacity", "set_leaders", "signup", "signups_by_month", "update_volunteer",
    "verify_certificate",
]
