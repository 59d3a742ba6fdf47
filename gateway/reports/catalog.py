"""The monthly report's sections (each domain's module defines its SECTION), in the report's order."""
from gateway.reports.sections import Section, cases, drills, register, volunteers

ORDER = ("cases", "register", "volunteers", "drills")
SECTIONS: list[Section] = sorted([cases.SECTION, volunteers.SECTION, register.SECTION, drills.SECTION], key=lambda s: ORDER.index(s.key))
