"""Reading the gateway's pages in tests: a page's text, and a test client signed in as a seeded user."""
from tests.support.stack import DEMO_PASSWORD, sign_in


def text(response) -> str:
    return response.get_data(as_text=True)


def signed_in(stack, username: str, password: str = DEMO_PASSWORD):
    """A test client of `stack`'s gateway, signed in as `username`."""
    client = stack.gateway_app.test_client()
    assert sign_in(client, username, password).status_code == 303
    return client
