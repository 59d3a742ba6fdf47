"""Fixtures only the households tests use (its config, app, client, district and grid worker are in
tests/integration/apps.py, since the bus and fault tests build on them too)."""
import pytest

from tests.support.callers import headers_for


@pytest.fixture
def as_staff(households_app, district):
    """Headers of community staff of community C1."""
    return headers_for(households_app, role="community_staff", user_id="s-c1", communities=[district["community"]])
