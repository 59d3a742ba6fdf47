"""The satisfaction survey is the resident's: its link and QR code go on the closing notice (结案告知书) the
applicant takes home, the service refuses an answer from any principal but the public resident one (the
handler who closed the case could answer it himself before), and the figures give the response rate
(answered / closed with a survey link) beside the rate, judging the rate only from SATISFACTION_MIN_ANSWERS on."""
import pytest

from services.mediation import documents
from services.mediation.models import Dispute
from tests.support.mediation import dispute_body


def call(api, url, who, body=None, status=200):
    r = api.post(url, json=body if body is not None else {}, headers=who)
    assert r.status_code == status, (url, r.status_code, r.json)
    return r.json


def closed_case(api, people) -> dict:
    """A case registered, mediated to an agreement and closed by its mediator m-1: the close answer."""
    case = call(api, "/disputes", people["worker"], dispute_body(), status=201)["dispute"]
    url = f"/disputes/{case['id']}"
    call(api, f"{url}/assign", people["staff"], {"mediator_id": "m-1"})
    parties = api.get(url, headers=people["m1"]).json["parties"]
    call(api, f"{url}/sessions", people["m1"], {"attendance": [{"party_id": p["party_id"], "present": True}
                                                               for p in parties]}, status=201)
    call(api, f"{url}/outcome", people["m1"], {"kind": "agreement", "terms": ["甲方修复漏水管道"]})
    return call(api, f"{url}/close", people["m1"], {"note": "协议已履行"})


def test_the_handler_and_other_staff_cannot_answer_the_survey(api, register, people, mediators, today):
    today.set("2025-06-03")
    closed = closed_case(api, people)
    survey = f"/public/surveys/{closed['survey_token']}"
    for who in ("m1", "staff", "worker", "operator"):
        refused = call(api, survey, people[who], {"rating": 5, "comment": "自己评的"}, status=403)
        assert refused["reason"]["code"] == "mediation.survey_resident_only"
    stored = Dispute.objects.get(pk=closed["dispute"]["id"])
    assert stored.survey.answered_at is None and stored.survey.rating is None
    assert "satisfaction.recorded" not in [e.type for e in stored.outbox]
    answered = call(api, survey, people["resident"], {"rating": 4}, status=201)
    assert answered["answered"] is True


def test_the_closing_notice_carries_the_survey_link_and_its_qr_code(api, register, people, mediators, today,
                                                                    monkeypatch):
    today.set("2025-06-03")
    closed = closed_case(api, people)
    url = f"/disputes/{closed['dispute']['id']}/closing-notice.pdf"
    drawn = []
    real = documents.qr_png
    monkeypatch.setattr(documents, "qr_png", lambda link, **kw: drawn.append(link) or real(link, **kw))
    pdf = api.post(url, json={"token": closed["survey_token"]}, headers=people["m1"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert drawn == [closed["survey_url"]]  # the QR code is of the resident's link
    assert b"/Subtype /Image" in pdf.data
    # only with the case's current token: a made-up or replaced one is refused
    wrong = call(api, url, people["m1"], {"token": "x" * 43}, status=409)
    assert wrong["reason"]["code"] == "mediation.survey_token_wrong"
    renewed = call(api, f"/disputes/{closed['dispute']['id']}/survey-link", people["m1"])
    assert api.post(url, json={"token": closed["survey_token"]}, headers=people["m1"]).status_code == 409
    assert api.post(url, json={"token": renewed["survey_token"]}, headers=people["m1"]).status_code == 200
    # another community's staff cannot print it
    assert api.post(url, json={"token": renewed["survey_token"]},
                    headers=people["staff_c2"]).status_code in (403, 404)


@pytest.fixture
def two_answers_judge(mediation_config):
    mediation_config.SATISFACTION_MIN_ANSWERS = 2  # before the app is built: its factory applies the settings


def test_the_response_rate_is_beside_the_rate_and_one_answer_is_not_judged(two_answers_judge, api, register,
                                                                           people, mediators, today):
    today.set("2025-06-03")
    tokens = [closed_case(api, people)["survey_token"] for _ in range(4)]
    call(api, f"/public/surveys/{tokens[0]}", people["resident"], {"rating": 1}, status=201)
    figures = api.get("/reports/hotspots?year=2025", headers=people["staff"]).json["satisfaction"]
    # one unhappy answer out of four closed cases: 0 %, but too few answers to judge against the target
    assert figures == {"answered": 1, "satisfied": 0, "rate": 0.0, "target": 0.9, "meets_target": None,
                       "min_answers": 2, "surveyed": 4, "response_rate": 0.25}
    metrics = api.get("/metrics").text
    assert 'grid_mediation_survey_answers{community_id="C1"} 1.0' in metrics
    assert 'grid_mediation_closed_surveyable{community_id="C1"} 4.0' in metrics
    assert 'grid_mediation_satisfaction_target{community_id="C1"} 0.9' in metrics
    assert 'grid_mediation_survey_min_answers{community_id="C1"} 2.0' in metrics  # the alert rule compares with it
    call(api, f"/public/surveys/{tokens[1]}", people["resident"], {"rating": 5}, status=201)
    figures = api.get("/reports/hotspots?year=2025", headers=people["staff"]).json["satisfaction"]
    assert (figures["rate"], figures["meets_target"], figures["response_rate"]) == (0.5, False, 0.5)
