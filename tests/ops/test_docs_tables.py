"""The documents' generated tables are the code's (python -m tests.support.docs_tables)."""
import pytest

from tests.support.docs_tables import DOCS, TABLES, render

pytestmark = pytest.mark.ops


@pytest.mark.parametrize("name", sorted(TABLES))
def test_the_documents_carry_the_current_event_map_permissions_and_settings(name):
    text = (DOCS / name).read_text(encoding="utf-8")
    assert render(name, text) == text, "stale: run python -m tests.support.docs_tables"
