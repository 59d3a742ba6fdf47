"""docs/architecture.md's event map and permission table are the code's (python -m tests.support.docs_tables)."""
import pytest

from tests.support.docs_tables import DOC, render

pytestmark = pytest.mark.ops


def test_the_architecture_document_carries_the_current_event_map_and_permission_table():
    text = DOC.read_text(encoding="utf-8")
    assert render(text) == text, "stale: run python -m tests.support.docs_tables"
