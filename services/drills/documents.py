"""Documents of the drills service: the after-action report as a printable A4 PDF (Chinese), marked as an
exercise on every section; times in the district's time zone."""
from datetime import datetime

from shared.clock import local
from shared.pdf import SMALL, Spacer, mm, paragraph, render, table

HAZARDS = {"natural_disaster": "自然灾害", "accident": "事故灾难", "public_health": "公共卫生事件",
           "social_security": "社会安全事件"}
KINDS = {"comprehensive": "综合演练", "shelter": "避难场所启用演练", "special": "专项演练"}
STATUSES = {"at_home": "在家", "evacuated": "已疏散", "absent": "不在家", "needs_help": "需要帮助", None: "未清点"}
CARE = {"elderly_alone": "孤寡/独居老人", "empty_nest": "空巢老人", "left_behind_child": "留守儿童",
        "child_in_difficulty": "困境儿童", "disability": "残疾人", "subsistence": "低保", "extreme_poverty": "特困",
        "entitled_group": "优抚对象"}


def _time(value) -> str:
    if not value:
        return "—"
    return local(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M:%S")


def _duration(seconds) -> str:
    if seconds is None:
        return "未达到"
    seconds = round(seconds)
    return f"{seconds // 60}分{seconds % 60:02d}秒"


def _share(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def report_pdf(report: dict) -> bytes:
    """PDF bytes of a dumped after-action report (schemas.Report)."""
    drill = report["drill"]
    out = [paragraph(f"【演练】本文件为应急演练总结，非真实突发事件。 {drill['title']}"),
           Spacer(1, 4 * mm),
           table([["社区", drill["community_id"], "灾种", HAZARDS.get(drill["hazard"], drill["hazard"])],
                  ["响应级别", f"{drill['level']}级", "类型", KINDS.get(drill["kind"], drill["kind"])],
                  ["开始", _time(drill.get("started_at")), "结束", _time(drill.get("ended_at"))],
                  ["应清点户数", str(report["total"]), "已清点", f"{report['accounted']}（{_share(report['share'])}）"],
                  ["清点90%用时", _duration(report["time_to_90_s"]), "清点100%用时", _duration(report["time_to_100_s"])]],
                 widths=[30 * mm, 55 * mm, 30 * mm, 55 * mm]),
           Spacer(1, 4 * mm), paragraph("一、各网格清点用时")]
    rows = [["网格", "户数", "已清点", "比例", "90%用时", "100%用时", "需要帮助"]]
    for g in report["grids"]:
        rows.append([g.get("name") or g["grid_id"], str(g["total"]), str(g["accounted"]), _share(g["share"]),
                     _duration(g["time_to_90_s"]), _duration(g["time_to_100_s"]), str(g["needs_help"])])
    out += [table(rows), Spacer(1, 4 * mm), paragraph(f"二、始终未清点的住户（{len(report['never_accounted'])}户）")]
    if report["never_accounted"]:
        out.append(table([["网格", "住址", "关爱标签"]] + [
            [h["grid_id"], h.get("label") or h["household_id"], "、".join(CARE.get(t, t) for t in h["care_tags"])]
            for h in report["never_accounted"]]))
    out += [Spacer(1, 4 * mm), paragraph("三、重点关爱对象清点情况")]
    if report["special_care"]:
        out.append(table([["住址", "人员", "协助人", "状态", "用时"]] + [
            [h.get("label") or h["household_id"],
             "、".join(f"{r['name']}{'（需协助转移）' if r['needs_help'] else ''}" for r in h["residents"]),
             "、".join(r.get("helper_name") or "—" for r in h["residents"]),
             STATUSES.get(h["status"], h["status"]), _duration(h["accounted_after_s"])]
            for h in report["special_care"]]))
    out += [Spacer(1, 4 * mm), paragraph(f"四、志愿者签到（{len(report['volunteers'])}人）")]
    if report["volunteers"]:
        out.append(table([["姓名", "签到", "签退", "时长（小时）"]] + [
            [v.get("name") or v["volunteer_id"], _time(v["checked_in_at"]), _time(v.get("checked_out_at")),
             f"{v['hours']:.2f}"] for v in report["volunteers"]]))
    out += [Spacer(1, 4 * mm), paragraph("五、避难场所启用")]
    if report["shelters"]:
        out.append(table([["场所", "计划启用", "启用时间", "用时", "接收人数"]] + [
            [s.get("name") or s["shelter_id"], "是" if s["planned"] else "否", _time(s.get("opened_at")),
             _duration(s.get("opened_after_s")) if s.get("opened_at") else "未启用",
             "—" if s.get("people") is None else str(s["people"])] for s in report["shelters"]]))
    out += [Spacer(1, 4 * mm), paragraph("六、发现的问题")]
    for n, p in enumerate(report["problems"], 1):
        out.append(paragraph(f"{n}. {p['text']}" + (f"（{p['grid_id']}）" if p.get("grid_id") else "")))
    if report["supplies_flagged"]:
        out.append(paragraph("物资问题：" + "；".join(f"{s['name']}（{'、'.join(s['problems'])}）"
                                                 for s in report["supplies_flagged"])))
    out += [Spacer(1, 4 * mm), paragraph("七、整改措施")]
    if report["actions"]:
        out.append(table([["措施", "责任人", "期限", "状态"]] + [
            [a["title"], a["owner_name"], a["due_on"],
             "已完成" if a["status"] == "closed" else ("逾期" if a["overdue"] else "进行中")]
            for a in report["actions"]]))
    out += [Spacer(1, 6 * mm), paragraph("【演练】以上内容均为演练记录。", SMALL)]
    return render(title="应急演练总结报告（演练）", flowables=out)
