"""Volunteers (志愿服务): the public pages of a sign-up link, the volunteer's own page and the certificate check
(public.py); and the pages of community staff and team leaders: links and QR codes and the figures (staff.py),
teams and needs (teams.py), approvals, certificates and the people (people.py)."""
from gateway.views.volunteers import people, public, staff, teams  # noqa: F401  (they add their routes)

BLUEPRINTS = [public.pub, staff.bp]
