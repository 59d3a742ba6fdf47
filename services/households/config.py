"""The households service's own settings, on top of shared.config's (read from the environment)."""
from shared.settings import Setting, Settings, between

SERVICE = "households"

SETTINGS = Settings(
    Setting("VISIT_CADENCE_DAYS", int, 30, "days between care visits before a household is overdue",
            check=between(1, 366)),
    Setting("MAX_IMPORT_ROWS", int, 60000, "rows one register import may hold"),
    Setting("IMPORT_PARSE_MEMORY_MB", int, 512, "address space of the child process that parses an upload"),
    Setting("IMPORT_PARSE_TIMEOUT_S", float, 300.0, "seconds the parsing child may take"),
    Setting("IMPORT_STALE_S", float, 120.0, "seconds an import journal may stay silent before it is recovered"),
    Setting("LOOKUP_HMAC_KEY", str, None,
            "key of the hashes a full ID number or phone is found by (unset: that look-up is off)",
            test_default="test-lookup-key", secret=True),
)
