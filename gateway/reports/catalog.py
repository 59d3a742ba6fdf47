"""The monthly report's sections (each domain's module defines its SECTION), in the report's order."""
from gateway.reports.sections import Section, register, volunteers

ORDER = ("cases", "register", "volunteers", "drills")
SECTIONS: list[Section] = sorted([volunteers.SECTION, register.SECTION], key=lambda s: ORDER.index(s.key))
