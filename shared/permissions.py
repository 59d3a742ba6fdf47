"""Who may do what: every role's permissions, for every service and for the gateway's pages, in one table.

Services check a permission with `Principal.require`; the gateway shows a page, a link or a button from the
same table with `Principal.may`. Scope (which grids and communities) is separate: see `shared.scope`.
"""
ROLES = ("grid_worker", "community_staff", "street_staff", "mediator", "team_leader", "operator", "admin")
# A resident on a public page (a volunteer sign-up link, a certificate check, a survey): no scope at all.
PUBLIC_ROLE = "resident"
DISTRICT_ROLES = ("operator", "admin")
# Roles that act for a whole community in their scope (a team leader acts for the teams they lead).
COMMUNITY_ROLES = frozenset({"community_staff", "admin"})

_STAFF = COMMUNITY_ROLES
_EVERYONE = frozenset(ROLES)
# Street staff (街道) read every community of their street and act on none of them.
_STREET = "street_staff"

PERMISSIONS: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in {
    # the register (households)
    "register.read": {"grid_worker", "community_staff", "mediator", _STREET, "admin"},
    "register.write": {"grid_worker", "community_staff", "admin"},
    "register.reveal": {"grid_worker", "community_staff", "admin"},
    "care.read": {"grid_worker", "community_staff", "admin"},  # care and disability status: to plan visits
    "visits.write": {"grid_worker", "community_staff", "admin"},
    "grids.manage": _STAFF,
    "register.figures": _EVERYONE,
    "network.manage": {"grid_worker", "community_staff", "admin"},  # residents' groups, building heads, 十联户
    # the hierarchy above the grid: names for every page, a street's overview, streets edited by the district
    "places.read": _EVERYONE,
    "streets.read": {_STREET, "operator", "admin"},
    "streets.manage": {"admin"},
    # volunteers
    "volunteers.read": {"community_staff", "team_leader", "grid_worker", _STREET, "operator", "admin"},
    "volunteers.manage": {"community_staff", "team_leader", "admin"},
    "volunteers.reveal": {"community_staff", "team_leader", "admin"},
    "links.manage": {"community_staff", "team_leader", "admin"},
    "teams.manage": _STAFF,
    "needs.manage": {"community_staff", "team_leader", "admin"},
    "hours.manage": {"community_staff", "team_leader", "admin"},
    "certificates.issue": {"community_staff", "team_leader", "admin"},
    "certificates.revoke": _STAFF,
    "communities.manage": _STAFF,
    "volunteers.figures": {"community_staff", "team_leader", "grid_worker", _STREET, "operator", "admin"},
    # drills
    "drills.read": {"grid_worker", "community_staff", "team_leader", _STREET, "operator", "admin"},
    "drills.manage": _STAFF,
    "drills.tick": {"grid_worker", "community_staff", "admin"},
    "drills.checkin": {"grid_worker", "community_staff", "team_leader", "admin"},
    "roster.read": {"grid_worker", "community_staff", "admin"},
    "roster.write": {"grid_worker", "community_staff", "admin"},
    # mediation
    "disputes.read": {"grid_worker", "community_staff", "mediator", _STREET, "operator", "admin"},
    "disputes.register": {"grid_worker", "community_staff", "mediator", "admin"},
    "disputes.assign": _STAFF,
    "disputes.handle": {"community_staff", "mediator", "admin"},
    "disputes.escalate": {"grid_worker", "community_staff", "mediator", "admin"},
    "disputes.annotate": {"grid_worker", "community_staff", "mediator", "admin"},
    "disputes.archive": _STAFF,
    "disputes.approve": _STAFF,  # an extension of the working-day clock is approved by community staff
    "disputes.reveal": {"community_staff", "mediator", "admin"},
    "mediators.manage": _STAFF,
    "notifications.read": _EVERYONE,
    "disputes.figures": {"grid_worker", "community_staff", "mediator", _STREET, "operator", "admin"},
    "survey.answer": {PUBLIC_ROLE},
    # the service desk (一站式受理): requests for help and incidents, beside disputes, in the mediation service.
    # Reading a case of any kind is disputes.read; these are what only requests and incidents have.
    "cases.register": {"grid_worker", "community_staff", "admin"},  # a request or an incident (from the phone)
    "cases.dispatch": _STAFF,  # 分拨: to a department or a person, with its own due date
    "cases.handle": {"grid_worker", "community_staff", "admin"},  # 处置: what was done (the person dispatched to)
    "cases.verify": {"grid_worker", "community_staff", "admin"},  # 核查: the reporter or community staff
    # the monthly situation report (情况报告制): read by who reports and who is reported to; each service's
    # figures of a community's month (GET /reports/month) answer reports.read
    "reports.read": {"community_staff", _STREET, "operator", "admin"},
    "reports.issue": {"community_staff", _STREET, "admin"},  # issue (or re-issue) a past month's report on demand
    # the gateway's own pages
    "accounts.manage": {"admin"},
    # the volunteers staff pages (a grid worker reads volunteers through the service, but has no pages for them)
    "volunteers.pages": {"community_staff", "team_leader", _STREET, "operator", "admin"},
}.items()}


def may(role: str, permission: str) -> bool:
    """True when `role` carries `permission` (deny by default: unknown roles and permissions carry nothing)."""
    return role in PERMISSIONS.get(permission, ())


def roles_with(permission: str) -> frozenset[str]:
    """The roles that carry `permission`."""
    return PERMISSIONS[permission]
