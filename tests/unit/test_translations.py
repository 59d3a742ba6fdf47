"""The zh_CN catalog is complete and compiled, every refusal a service gives carries a code, and a page shows a
refusal in Chinese by its code (gateway/i18n.py says how the catalog is kept: `make catalog`)."""
import ast
import io
import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

import gateway
from shared import errors
from shared.reasons import REASONS

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
GATEWAY = Path(gateway.__file__).parent
PO = GATEWAY / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="zh_CN")


def _translated(catalog, msgid) -> bool:
    message = catalog.get(msgid)
    if message is None or message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return all(s.strip() for s in strings)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What pybabel extracts today with the project's babel config (gateway/babel.cfg), as `make catalog` does."""
    pot = tmp_path_factory.mktemp("catalog") / "messages.pot"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        CommandLineInterface().run(["pybabel", "-q", "extract", "-F", "gateway/babel.cfg", "--no-location",
                                    "-o", str(pot), "."])
    with pot.open("rb") as f:
        return read_po(f)


def test_every_message_has_its_chinese(extracted):
    catalog = _catalog()
    ids = [m.id for m in extracted if m.id]
    assert len(ids) > 1000, "pybabel found too few messages: is gateway/babel.cfg right?"
    missing = [m if isinstance(m, str) else m[0] for m in ids if not _translated(catalog, m)]
    assert not missing, f"untranslated (make catalog, then translate in {PO.relative_to(ROOT)}): {missing}"


def test_translations_keep_their_placeholders():
    wrong = []
    for message in _catalog():
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        wrong += [(ids[0], s) for s in strings if s and set(PLACEHOLDER.findall(s)) != wanted]
    assert not wrong, wrong


def test_the_compiled_catalog_is_the_catalog():
    def translations(catalog):
        key = lambda value: tuple(value) if isinstance(value, (list, tuple)) else value  # noqa: E731
        return {key(m.id): key(m.string) for m in catalog if m.id and m.string and not m.fuzzy}

    with MO.open("rb") as f:
        compiled = read_mo(f)
    fresh = io.BytesIO()
    write_mo(fresh, _catalog(), use_fuzzy=False)
    fresh.seek(0)
    assert translations(compiled) == translations(read_mo(fresh)), "run: make catalog (it compiles messages.mo)"


def test_every_reason_a_service_gives_has_its_words_in_chinese():
    from gateway.i18n import NOT_FOUND_WORDS

    catalog = _catalog()
    untranslated = [t.code for t in REASONS.values() if not _translated(catalog, t.page)]
    untranslated += [f"object.not_found/{what}" for what, page in NOT_FOUND_WORDS.items()
                     if not _translated(catalog, page)]
    assert not untranslated, f"reasons whose page words have no Chinese: {untranslated}"


# ---- every refusal carries a code ------------------------------------------------------------------
def _domain_errors(trees) -> set[str]:
    names = {c.__name__ for c in _subclasses(errors.DomainError)} | {"DomainError"}
    grew = True
    while grew:  # services' own subclasses (class Invalid(DomainError), class LinkGone(Gone), ...)
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names and any(
                        _name(b) in names for b in node.bases):
                    names.add(node.name)
                    grew = True
    return names


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _name(node) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _plain_text(node) -> bool:
    """English written in place: a literal, an f-string, "..." % x, "..." + x, "...".format(x), or a dict/list
    of them (marshmallow's {field: [message]})."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return _plain_text(node.left) or _plain_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _plain_text(node.func.value)
    if isinstance(node, ast.Dict):
        return any(_plain_text(v) for v in node.values)
    if isinstance(node, (ast.List, ast.Tuple)):
        return any(_plain_text(e) for e in node.elts)
    return False


def _message(call: ast.Call):
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg in ("message", "messages")), None)


def test_every_refusal_a_service_gives_carries_a_code():
    """No `raise Invalid("...")` nor `ValidationError(f"...")`: each gives a shared.reasons Text, so the gateway
    shows it in the user's language by code."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8"), str(path))
             for path in sorted((ROOT / "services").rglob("*.py"))}
    refusals = _domain_errors(trees) | {"ValidationError"}
    plain = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in refusals:
                message = _message(node)
                if message is not None and _plain_text(message):
                    plain.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)[:100]}")
    assert not plain, "refusals without a code (give a Text of shared/reasons):\n" + "\n".join(plain)


# ---- a page shows a refusal in Chinese by its code ---------------------------------------------------
@pytest.fixture
def app():
    from flask import Flask

    from gateway import errors as error_pages
    from gateway import i18n
    from gateway.extensions import babel

    app = Flask("gateway", root_path=str(GATEWAY))
    app.config.update(LANGUAGES=("zh_CN", "en"), BABEL_DEFAULT_LOCALE="zh_CN", SECRET_KEY="t")
    babel.init_app(app, locale_selector=i18n.select_locale)
    error_pages.register(app)
    app.jinja_env.globals.update(asset=lambda name: f"/static/{name}", labels=i18n)
    app.add_url_rule("/language/<code>", "auth.set_language", lambda code: "")
    app.context_processor(lambda: {"user": None, "html_lang": "zh-CN", "other_lang": "en", "request_path": "/"})
    return app


def _refusing(app, body: dict, status: int = 422):
    from gateway.upstream import ServiceError

    def refuse():
        raise ServiceError("households", status, body)

    app.add_url_rule("/refuse", "refuse", refuse)
    app.add_url_rule("/api/refuse", "api_refuse", refuse)
    return app.test_client()


REFUSAL = {
    "status": 422, "error": "validation_failed", "message": "request is invalid",
    "reason": {"code": "request.invalid", "params": {}},
    "fields": {"residents.0.id_number": ["ID number check character is wrong"],
               "address.room": ["Length must be between 1 and 40."], "note": ["a reason no code names"]},
    "field_reasons": {"residents.0.id_number": [{"code": "id_number.check_character", "params": {}}],
                      "address.room": [{"code": "length.between", "params": {"min": 1, "max": 40}}],
                      "note": [{"code": "no.such.code", "params": {}}]},
}


def test_a_page_shows_a_services_refusal_in_chinese_by_code(app):
    page = _refusing(app, REFUSAL).get("/refuse")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "有些内容需要修改" in html  # request.invalid's words
    assert "身份证号校验位不对，请核对。" in html and "居民 1：身份证号" in html
    assert "请填写 1 到 40 个字符。" in html
    assert "a reason no code names" in html  # a code the gateway does not know: the service's English
    assert "check character is wrong" not in html


def test_a_page_in_english_and_the_api_pass_the_codes_on(app):
    client = _refusing(app, REFUSAL)
    client.set_cookie("lang", "en")
    html = client.get("/refuse").get_data(as_text=True)
    assert "The ID number&#39;s check character is wrong; please check it." in html
    body = client.get("/api/refuse").get_json()
    assert body["message"] == "request is invalid" and body["reason"] == {"code": "request.invalid", "params": {}}
    assert body["fields"] == REFUSAL["fields"]
    assert body["field_reasons"]["address.room"] == [{"code": "length.between", "params": {"min": 1, "max": 40}}]


def test_flash_and_form_lines_by_code(app):
    from gateway.calls import error_lines, flash_error
    from gateway.i18n import row_reason
    from gateway.upstream import ServiceError

    gone = {"message": "grid g9 not found", "reason": {"code": "object.not_found", "params": {"what": "grid", "id": "g9"}}}
    with app.test_request_context("/"):
        assert flash_error(ServiceError("households", 409, gone)) == "网格 g9 不存在，或不在您的负责范围内。"
        lines = error_lines(ServiceError("households", 422, REFUSAL))
        assert lines[0] == "有些内容需要修改。" and "居民 1：身份证号：身份证号校验位不对，请核对。" in lines
        assert row_reason({"row": 3, "field": "id_number", "reason": "ID number check character is wrong",
                           "code": "id_number.check_character", "params": {}}) == "身份证号：身份证号校验位不对，请核对。"
        assert row_reason({"row": 4, "reason": "something new"}) == "something new"


def test_a_reason_standing_for_several_and_a_status_in_its_words(app):
    from gateway.i18n import reason_text

    several = {"code": "import.row.several", "params": {"text": "a; b", "reasons": [
        {"code": "id_number.check_character", "params": {}}, {"code": "length.max", "params": {"max": 20}}]}}
    with app.test_request_context("/"):
        assert reason_text(several, "a; b") == "身份证号校验位不对，请核对。；最多 20 个字符。"
        unknown = {"code": "import.row.several", "params": {"reasons": [{"code": "no.such", "params": {}}]}}
        assert reason_text(unknown, "as it came") == "as it came"
        case = {"code": "mediation.not_while", "params": {"status": "archived", "action": "paused"}}
        assert reason_text(case, "a case that is archived cannot be paused") == "案件处于“已归档”状态，不能这样操作。"
