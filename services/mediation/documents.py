"""Printable documents made from a case: the 调解协议书 for signing, the 个案专报, the receipt (回执) and the
closing notice (结案告知书) with the satisfaction survey's link and QR code."""
from datetime import date

from services.mediation import notices
from services.mediation.config import SETTINGS
from shared.pdf import BODY, SMALL, Spacer, mm, paragraph, png, render, table
from shared.qr import qr_png

ROLE_LABELS = {"applicant": "申请人", "respondent": "被申请人", "other": "其他当事人"}
REASON_LABELS = {"many_households": "涉及户数多", "violence_risk": "有激化、暴力风险", "vulnerable_party": "涉及困难或弱势群体",
                 "other": "其他重大情形"}
LEVEL_LABELS = {"community": "社区", "street": "街道"}


def _day(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "____年__月__日"


def _type(d) -> str:
    return "纠纷类型" if d.kind == "dispute" else "事项类型"


def _handler(d) -> list[str]:
    """Who handles the case: a dispute's mediator, or the department or person a request is dispatched to."""
    if d.kind == "dispute":
        return ["调解员", d.mediator_name or "尚未指派"]
    x = d.dispatches[-1] if d.dispatches else None
    if x is None:
        return ["处置部门或人员", "尚未分拨"]
    return ["处置部门或人员", SETTINGS.DISPATCH_DEPARTMENTS.get(x.department, x.department)
            if x.target == "department" else (x.user_name or x.user_id)]


def _parties(d) -> list:
    rows = [["身份", "姓名/名称", "住址"]]
    for p in d.parties:
        rows.append([ROLE_LABELS[p.role], p.name, p.address or ""])
    return [table(rows, widths=[28 * mm, 50 * mm, 92 * mm])]


def agreement(d) -> bytes:
    """人民调解协议书: parties, facts, the agreed terms, and lines for everyone's signature."""
    o = d.outcome
    flow = [paragraph(f"编号：{d.number}", SMALL), Spacer(1, 4 * mm), *_parties(d), Spacer(1, 5 * mm),
            paragraph(f"纠纷类型：{notices.category_label(d.kind, d.category)}"),
            paragraph("纠纷主要事实、争议事项："), paragraph(d.description), Spacer(1, 3 * mm)]
    if o.summary:
        flow += [paragraph("调解情况："), paragraph(o.summary), Spacer(1, 3 * mm)]
    flow.append(paragraph("经人民调解委员会调解，当事人自愿达成如下协议："))
    flow += [paragraph(f"{i}. {term}") for i, term in enumerate(o.terms, 1)]
    flow += [Spacer(1, 3 * mm),
             paragraph("履行方式、时限见上述各条。本协议经各方当事人签名（盖章）、人民调解员签名并加盖人民调解委员会印章后生效，"
                       "具有法律约束力，当事人应当按照约定履行。当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认。"),
             paragraph("本协议一式____份，当事人各执一份，人民调解委员会留存一份。"), Spacer(1, 8 * mm)]
    signatures = [["当事人", "签名（盖章）", "日期"]] + [[p.name, "", ""] for p in d.parties]
    flow += [table(signatures, widths=[50 * mm, 70 * mm, 50 * mm]), Spacer(1, 8 * mm),
             paragraph(f"人民调解员（签名）：____________　　　（{d.mediator_name or ''}）"),
             paragraph("人民调解委员会（盖章）"), paragraph(f"达成协议日期：{_day(o.decided_on)}")]
    return render(title="人民调解协议书", flowables=flow)


def special_report(d) -> bytes:
    """个案专报: a major case reported to the community and the street."""
    e = d.escalation
    state = d.clock_state()
    rows = [["案件编号", d.number], ["社区 / 网格", f"{d.community_id} / {d.grid_id or '—'}"],
            [_type(d), notices.category_label(d.kind, d.category)],
            ["紧急程度", "紧急" if d.urgency == "urgent" else "一般"],
            ["登记日期", _day(d.registered_on)], ["办结期限", _day(d.due_on)],
            ["涉及户数", str(e.households_involved or d.households_involved or 0)],
            ["当事人数", str(len(d.parties))],
            ["重大情形", "、".join(REASON_LABELS[r] for r in e.reasons)],
            ["报送", "、".join(LEVEL_LABELS[x] for x in e.levels)],
            ["首问责任人", d.first_contact.name or d.first_contact.user_id],
            _handler(d),
            ["当前状态", d.status], ["已用工作日", str(state["age_working_days"])]]
    flow = [table(rows, widths=[35 * mm, 135 * mm]), Spacer(1, 5 * mm), paragraph("基本情况："),
            paragraph(d.description)]
    if e.note:
        flow += [Spacer(1, 3 * mm), paragraph("说明及已采取措施："), paragraph(e.note)]
    flow += [Spacer(1, 6 * mm), paragraph(f"报告人：{e.by_name or e.by}　　报告时间：{e.at:%Y-%m-%d %H:%M} (UTC)", BODY)]
    return render(title=f"{notices.kind_label(d.kind)}个案专报", flowables=flow)


def receipt(d, data: dict) -> bytes:
    """受理回执 with the one-time notice (一次性告知)."""
    n = data["notice"]
    who = ["上报人", data["received_by"]] if d.kind == "incident" else ["申请人", "、".join(data["applicants"])]
    rows = [["案件编号", d.number], [_type(d), n["category_label"]], who,
            ["受理日期", _day(d.registered_on)], ["承诺办结期限", _day(d.due_on)], ["首问责任人", data["received_by"]]]
    flow = [table(rows, widths=[40 * mm, 130 * mm]), Spacer(1, 6 * mm), paragraph(n["title"]),
            paragraph("一、办理流程")]
    flow += [paragraph(f"{i}. {s}") for i, s in enumerate(n["steps"], 1)]
    flow.append(paragraph("二、需要准备的材料"))
    flow += [paragraph(f"{i}. {s}") for i, s in enumerate(n["documents"], 1)]
    flow += [paragraph("三、办理时限"), paragraph(n["deadline"])]
    if data.get("calendar_warning"):
        flow += [Spacer(1, 3 * mm), paragraph(data["calendar_warning"], SMALL)]
    return render(title=f"{notices.kind_label(d.kind)}受理回执", flowables=flow)


def closing_notice(d, url: str) -> bytes:
    """结案告知书: the result the applicant takes home, with the survey link and QR code they answer on themselves."""
    o = d.outcome
    rows = [["案件编号", d.number], [_type(d), notices.category_label(d.kind, d.category)],
            ["调解结果", notices.OUTCOME_LABELS.get(o.kind, o.kind) if o else "—"],
            ["结案日期", _day(d.closed_on)], ["调解员", d.mediator_name or "—"]]
    flow = [table(rows, widths=[40 * mm, 130 * mm]), Spacer(1, 6 * mm),
            paragraph("您的纠纷已办结。请您本人用手机扫描下方二维码（或在浏览器中输入下面的网址），对本次调解服务作出满意度评价，"
                      f"无需注册账号，{_day(d.survey.open_until)}前有效。评价由申请人本人填写，工作人员不会代为填写。"),
            Spacer(1, 4 * mm), png(qr_png(url, scale=6), size_mm=45), Spacer(1, 2 * mm), paragraph(url, SMALL),
            Spacer(1, 6 * mm),
            paragraph("对调解结果有异议的，可以依法申请行政调解、司法调解或者向人民法院起诉。"),
            paragraph("人民调解委员会（盖章）")]
    return render(title=f"{notices.kind_label(d.kind)}结案告知书", flowables=flow)
