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


def test_a_receipts_feedback_link_is_masked_and_staff_case_pages_are_not(capsys):
    configure_logging("mediation")
    logging.getLogger("gateway").warning(
        "GET %s then %s", "/case/FeedbackT0ken", "http://mediation:8004/public/cases/FeedbackT0ken/survey",
        extra={"referer": "https://grid.example.cn/case/FeedbackT0ken?lang=zh", "staff": "/cases/65f0c0ffee/verify"})
    err = capsys.readouterr().err
    assert "FeedbackT0ken" not in err
    assert "GET /case/*** then http://mediation:8004/public/cases/***/survey" in err
    assert "/cases/65f0c0ffee/verify" in err
