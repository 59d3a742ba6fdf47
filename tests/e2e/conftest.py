"""End-to-end fixtures: the households service and the gateway over real HTTP, Debian's chromium at a
phone's viewport through Playwright."""
import pytest

from gateway.seed import seed_demo_users
from tests.support.data import household
from tests.support.stack import full_stack, register, seed_district, seed_full, stack

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
PASSWORD = "demo-pass-1"


@pytest.fixture(scope="module")
def live(mongo_url):
    """A small district: grids g1 (60 households, some in special care) and g2 in c1, g3 in c2."""
    with stack(mongo_url) as s:
        seed_district(s)
        s.g1 = [register(s, household("g1", n, care_tag="elderly_alone" if n % 7 == 0 else None))
                for n in range(60)]
        s.g3 = [register(s, household("g3", 1000 + n)) for n in range(3)]
        seed_demo_users(s.gateway_app, password=PASSWORD, grid_ids=["g1", "g2", "g3"], community_ids=["c1", "c2"])
        yield s


@pytest.fixture
def phone(browser, live):
    """A fresh phone (its own cookies and storage) with JavaScript on."""
    context = browser.new_context(base_url=live.gateway_url, **PHONE)
    context.set_default_timeout(15000)
    yield context
    context.close()


@pytest.fixture
def phone_without_js(browser, live):
    context = browser.new_context(base_url=live.gateway_url, java_script_enabled=False, **PHONE)
    context.set_default_timeout(15000)
    yield context
    context.close()


@pytest.fixture(scope="module")
def full(mongo_url):
    """Every service behind the gateway, with seed_full's district (grids g1, g2 in c1, g3 in c2; demo accounts)."""
    with full_stack(mongo_url) as s:
        s.seeded = seed_full(s, password=PASSWORD)
        yield s


@pytest.fixture
def full_phone(browser, full):
    """A fresh phone on the whole product."""
    context = browser.new_context(base_url=full.gateway_url, **PHONE)
    context.set_default_timeout(15000)
    yield context
    context.close()


def sign_in(page, username: str, password: str = PASSWORD):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state("load")
    assert "/login" not in page.url, page.content()[:2000]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
