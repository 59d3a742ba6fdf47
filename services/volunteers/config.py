"""The volunteers service's own settings, on top of shared.config's (read from the environment)."""
from shared.settings import Setting, Settings, between

SERVICE = "volunteers"

# The gateway's public pages for this service (paths under PUBLIC_BASE_URL).
SIGNUP_PATH = "/v/{token}"
PERSONAL_PATH = "/v/me/{token}"
VERIFY_PATH = "/v/cert/{serial}"

SETTINGS = Settings(
    Setting("PUBLIC_BASE_URL", lambda v: str(v).rstrip("/"), "http://127.0.0.1:8000",
            "the gateway's address as residents reach it: sign-up links, personal links and certificate QR codes",
            test_default="https://grid.example.cn"),
    Setting("VOLUNTEER_LINK_MAX_DAYS", int, 366, "the longest a sign-up link may stay valid, in days"),
    Setting("VOLUNTEERS_RECOUNT_EVERY_S", float, 2.0,
            "seconds between recounts of the communities whose households changed (the figures page recounts "
            "on reading when needed)"),
    Setting("VOLUNTEER_SHARE_TARGET", float, 0.10,
            "registered volunteers a community aims at, as a share of its residents (0.10: 10 %, rounded up)",
            check=between(0.001, 1.0)),
    Setting("VOLUNTEER_TEAMS_TARGET", int, 5, "volunteer teams a community aims at", check=between(0, 1000)),
)


def public_url(path: str, **parts) -> str:
    """The address of one of the gateway's public pages for this service."""
    return SETTINGS.PUBLIC_BASE_URL.rstrip("/") + path.format(**parts)
