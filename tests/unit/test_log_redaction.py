"""Every process that configures logging (services, workers, the gateway) masks link tokens in its log lines."""
import logging

from shared.web.observability import configure_logging


def test_a_service_log_line_carries_no_link_token(capsys):
    configure_logging("volunteers")
    logging.getLogger("services.volunteers").warning(
        "public call %s failed", "/public/volunteers/Pers0nalT0ken/hours",
        extra={"url": "http://volunteers:8000/public/surveys/SurveyT0ken?x=1", "error": "GET /v/me/LinkT0ken"})
    err = capsys.readouterr().err
    assert "public call /public/volunteers/***/hours failed" in err
    for token in ("Pers0nalT0ken", "SurveyT0ken", "LinkT0ken"):
        assert token not in err
