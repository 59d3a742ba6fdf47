"""The monthly report's sections, in the report's order (each domain's module defines its SECTION)."""
from gateway.reports.sections import Section

SECTIONS: list[Section] = []
