"""The gateway's page tests: a whole product, seeded, of their own per module (their assertions count a fresh
district: the roll-call's twelve households, a community's satisfaction rate, the first drills of a grid). The
volunteers pages share the session's seeded stack instead."""
import pytest

from tests.support.stack import DEMO_PASSWORD, full_stack, seed_full


@pytest.fixture(scope="module")
def s(mongo_url):
    with full_stack(mongo_url) as st:
        st.seeded = seed_full(st, password=DEMO_PASSWORD)
        yield st
