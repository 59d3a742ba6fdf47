"""Pure rules of the roster, the roll-call, compliance, supplies and volunteer hours: no database, so they are
tested with plain data."""
import calendar
from datetime import date, datetime, timedelta

from shared.clock import aware, to_ms
from shared.figures import minutes

REQUIREMENTS = ("comprehensive", "shelter")  # each community, each year
CARE_HELP_TAGS = ("disability", "elderly_alone", "empty_nest")  # likely to need help to move
HELP_AGE = 80


def deadline(year: int, due_month: int) -> date:
    """The last day a year's drills are on time: the end of the due month."""
    return date(year, due_month, calendar.monthrange(year, due_month)[1])


def satisfies(drill: dict, requirement: str) -> bool:
    """A comprehensive drill counts as comprehensive; a shelter drill, or any drill that opened a shelter, as shelter."""
    if requirement == "comprehensive":
        return drill["kind"] == "comprehensive"
    return drill["kind"] == "shelter" or bool(drill.get("shelters_opened"))


def counts(drill: dict, complete_share: float) -> bool:
    """A completed drill counts towards the duty only when its roll-call accounted for `complete_share` of the
    households (never when none were accounted for, nor when it had no roster)."""
    share = (drill.get("result") or {}).get("share")
    return drill["status"] == "completed" and bool(share) and share + 1e-9 >= complete_share


def compliance(drills: list[dict], *, year: int, today: date, due_month: int, complete_share: float = 0.9) -> dict:
    """One community's standing for `year` from its drills (dicts with kind, status, shelters_opened, hazard, id,
    result.share).

    Each requirement is held (a completed drill whose roll-call reached `complete_share` satisfies it), incomplete
    (held but incomplete: completed drills below the share only), planned (one is planned or running, deadline not
    passed), due (nothing yet, deadline not passed) or overdue (nothing held or held only incompletely, and the
    due month has passed: an incomplete drill shows as incomplete but the requirement is still listed overdue).
    Cancelled drills count for nothing.
    """
    due = deadline(year, due_month)
    completed = [d for d in drills if d["status"] == "completed"]
    held = [d for d in completed if counts(d, complete_share)]
    short = [d for d in completed if not counts(d, complete_share)]
    coming = [d for d in drills if d["status"] in ("planned", "live")]
    out = {"year": year, "due_by": due, "drills_held": len(completed), "drills_counted": len(held),
           "complete_share": complete_share, "hazards_drilled": sorted({d["hazard"] for d in held}), "overdue": []}
    for req in REQUIREMENTS:
        done = [d["id"] for d in held if satisfies(d, req)]
        incomplete = [{"drill_id": d["id"], "share": (d.get("result") or {}).get("share") or 0.0}
                      for d in short if satisfies(d, req)]
        planned = [d["id"] for d in coming if satisfies({**d, "shelters_opened": d.get("shelter_ids")}, req)]
        if done:
            state = "held"
        elif incomplete:
            state = "incomplete"
        elif today > due:
            state = "overdue"
        else:
            state = "planned" if planned else "due"
        if not done and today > due:
            out["overdue"].append(req)
        out[req] = {"status": state, "held": bool(done), "drill_ids": done, "planned_drill_ids": planned,
                    "incomplete": incomplete}
    return out


def supply_state(supply: dict, *, today: date, expiring_days: int) -> list[str]:
    """What is wrong with a supply item: expired, expiring, missing, short, flagged (an open flag)."""
    problems = []
    expires = supply.get("expires_on")
    if isinstance(expires, datetime):
        expires = expires.date()
    if expires is not None:
        if expires < today:
            problems.append("expired")
        elif expires <= today + timedelta(days=expiring_days):
            problems.append("expiring")
    required = supply.get("required_quantity") or 0
    quantity = supply.get("quantity") or 0
    if required and quantity == 0:
        problems.append("missing")
    elif quantity < required:
        problems.append("short")
    if any(f.get("cleared_at") is None for f in supply.get("flags") or []):
        problems.append("flagged")
    return problems


def is_short(supply: dict) -> bool:
    """The stock is below the quantity the plan requires (missing or short)."""
    return (supply.get("quantity") or 0) < (supply.get("required_quantity") or 0)


def stock_after(stock: int, direction: str, quantity: int) -> int | None:
    """The stock after booking `quantity` in or out; None when more would go out than is in stock."""
    after = stock + quantity if direction == "in" else stock - quantity
    return after if after >= 0 else None


def hours(checked_in: datetime, checked_out: datetime | None, ended: datetime | None, now: datetime) -> float:
    """A volunteer's hours at a drill: until they checked out, else until it ended (else until now)."""
    until = checked_out or ended or now
    return max(0.0, round((until - checked_in).total_seconds() / 3600, 2))


# ---- who needs help, and the roster order ------------------------------------------------------------

def suggested_help(resident: dict, year: int) -> bool:
    """A resident who probably needs help to move: a disability, living alone/empty-nest elderly, or 80+."""
    if set(resident.get("care_tags") or []) & set(CARE_HELP_TAGS):
        return True
    born = resident.get("birth_year")
    return bool(born and year - born >= HELP_AGE)


def special_residents(household: dict, assistance: dict[str, dict], year: int) -> list[dict]:
    """Residents of a household who need care or help to move, with their assigned helper."""
    out = []
    for r in household.get("residents") or []:
        plan = assistance.get(r["resident_id"])
        needs_help = plan["needs_help"] if plan else suggested_help(r, year)
        if r.get("care_tags") or needs_help:
            out.append({"resident_id": r["resident_id"], "name": r["name"], "care_tags": list(r.get("care_tags") or []),
                        "needs_help": needs_help, "need": (plan or {}).get("need"),
                        "helper_name": (plan or {}).get("helper_name"),
                        "helper_volunteer_id": (plan or {}).get("helper_volunteer_id")})
    return out


def roster_order(entries: list[dict]) -> list[dict]:
    """Special-care households first (those needing help to move before the rest), then by address."""
    def key(e):
        special = e.get("special") or []
        rank = 0 if any(s["needs_help"] for s in special) else 1 if special else 2
        return rank, e.get("sort") or ""
    return sorted(entries, key=key)


# ---- the roll-call state ---------------------------------------------------------------------------

def stamp(at: datetime, status: str) -> str:
    """The `latest` value of a tick: fixed-width UTC time then status, so the greatest string is the latest tick."""
    return to_ms(at).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z|" + status


def unstamp(value: str) -> tuple[datetime, str]:
    when, status = value.split("|", 1)
    return datetime.fromisoformat(when), status


def status_of(value: str) -> str:
    return value.split("|", 1)[1]


def threshold(total: int, share_tenths: int) -> int:
    """How many households make `share_tenths`/10 of `total`, rounded up, in integers (9/10 of 10 is 9)."""
    return -(-total * share_tenths // 10)


def reached(times: list[datetime], total: int, share_tenths: int) -> datetime | None:
    """When the share was reached: the time of the household that made it, or None if not yet."""
    if total <= 0:
        return None
    need = threshold(total, share_tenths)
    ordered = sorted(aware(t) for t in times)
    return ordered[need - 1] if len(ordered) >= need else None


def summarise(total: int, first: dict, latest: dict, started_at: datetime | None) -> dict:
    """One grid's (or a whole drill's) figures from its roll-call state."""
    times = [aware(t) for t in first.values()]
    by_status: dict[str, int] = {}
    for value in latest.values():
        status = status_of(value)
        by_status[status] = by_status.get(status, 0) + 1
    accounted = len(first)
    at_90, at_100 = reached(times, total, 9), reached(times, total, 10)
    since = aware(started_at)

    def seconds(at):
        return round((at - since).total_seconds(), 1) if at and since else None

    return {"total": total, "accounted": accounted, "share": round(accounted / total, 4) if total else None,
            "by_status": by_status, "needs_help": by_status.get("needs_help", 0),
            "first_accounted_at": min(times) if times else None,
            "last_accounted_at": max(times) if times else None,
            "reached_90_at": at_90, "reached_100_at": at_100,
            "time_to_90_s": seconds(at_90), "time_to_100_s": seconds(at_100)}


def curve(times: list[datetime], total: int, started_at: datetime) -> list[list]:
    """The roll-call curve: [minute since the start, households accounted for by then, total] from the start and
    at each household's first accounting, in time order."""
    since = aware(started_at)
    points = [[0.0, 0, total]]
    for n, at in enumerate(sorted(aware(t) for t in times), start=1):
        points.append([minutes((at - since).total_seconds()), n, total])
    return points


# ---- a plan's response levels: activation criteria (启动条件) and response steps (响应措施) ----------------

_SEVERITY = {"I": "特别重大", "II": "重大", "III": "较大", "IV": "一般"}
_DEFAULT_LEVELS = {
    "natural_disaster": {
        "I": ("气象等部门发布红色预警，或发生特别重大自然灾害（强降雨内涝、地震等），社区大面积受灾或需整体转移。",
              ["社区应急指挥部全员到岗，总指挥统一指挥", "立即组织全部受威胁居民转移至避难场所",
               "网格员逐户清点，特殊关爱对象由专人优先协助转移", "开启全部避难场所，发放饮用水、食品和照明物资",
               "每30分钟向街道和区应急管理局报告人员转移和受灾情况"]),
        "II": ("发布橙色预警，或多个网格受灾、有居民被困。",
               ["指挥部主要成员到岗", "转移受威胁网格的居民，关爱对象优先", "网格员逐户清点并上报",
                "开启就近避难场所并保障物资", "每小时向街道报告"]),
        "III": ("发布黄色预警，或个别楼栋、低洼区域受影响。",
                ["值班干部和相关网格员到岗", "排查低洼地段和危旧房屋，提醒居民防范", "预置沙袋、抽水泵等物资",
                 "必要时转移受影响居民", "按要求向街道报告"]),
        "IV": ("发布蓝色预警，尚无居民受影响。",
               ["加强值班值守，关注预警信息", "通过网格群、广播提醒居民", "检查应急物资和避难场所",
                "网格员巡查重点部位"]),
    },
    "accident": {
        "I": ("发生特别重大事故（高层住宅火灾、燃气爆炸等），有人员伤亡或需大范围疏散。",
              ["立即报警（119/120/110）并报告街道", "启动全面疏散，引导居民沿疏散通道到集合点",
               "网格员在集合点逐户清点，关爱对象由专人协助", "配合专业救援，设置警戒区域",
               "安置受影响居民，持续报告人员情况"]),
        "II": ("发生重大事故，一栋或多栋楼需要疏散。",
               ["报警并报告街道", "疏散受影响楼栋居民到集合点", "网格员逐户清点并上报", "设置警戒，配合救援"]),
        "III": ("发生较大事故，局部区域受影响，无人员被困。",
                ["值班干部到场处置", "疏散现场周边居民", "排查同类隐患", "向街道报告"]),
        "IV": ("发现一般事故或隐患（燃气泄漏报警、电动车违规充电等），尚未造成伤害。",
               ["网格员到场核实", "通知物业或专业单位处置", "提醒周边居民注意安全", "记录并跟踪整改"]),
    },
    "public_health": {
        "I": ("发生特别重大突发公共卫生事件，社区出现聚集性病例并需整体封控。",
              ["社区应急指挥部全员到岗", "按防控要求封控，设置出入口值守", "网格员逐户排查登记，关爱对象专人联系",
               "保障生活物资和就医需求", "每日向街道和卫生健康部门报告"]),
        "II": ("发生重大公共卫生事件，个别楼栋出现病例。",
               ["封控相关楼栋", "逐户排查并登记", "协助开展检测和消杀", "保障封控楼栋居民生活物资"]),
        "III": ("发生较大公共卫生事件或辖区出现密切接触者。",
                ["配合做好密切接触者管理", "加强公共区域消杀", "向居民宣传防护知识"]),
        "IV": ("出现一般公共卫生风险（周边疫情、食物中毒苗头等）。",
               ["加强健康监测和信息报告", "宣传防护知识", "检查防护物资储备"]),
    },
    "social_security": {
        "I": ("发生特别重大社会安全事件（大规模群体性事件、暴力恐怖事件等）。",
              ["立即报警并报告街道", "组织居民远离危险区域、就近避险", "网格员清点本网格居民安全情况",
               "配合公安设置警戒，维护秩序", "持续报告事态和人员情况"]),
        "II": ("发生重大社会安全事件，影响社区正常秩序。",
               ["报警并报告街道", "疏导围观人员", "网格员清点居民情况", "配合公安维护秩序"]),
        "III": ("发生较大社会安全事件或群体性矛盾苗头。",
                ["社区干部到场劝导", "启动矛盾调解", "向街道报告"]),
        "IV": ("出现一般社会安全隐患或纠纷。",
               ["网格员走访了解情况", "做好矛盾调解和记录", "加强巡查"]),
    },
}


def default_levels(hazard: str) -> list[dict]:
    """Chinese activation criteria and response steps for levels I–IV of a plan for `hazard`, where it has none."""
    by_level = _DEFAULT_LEVELS.get(hazard) or _DEFAULT_LEVELS["natural_disaster"]
    return [{"level": level, "criteria": f"（{_SEVERITY[level]}）{by_level[level][0]}", "steps": list(by_level[level][1])}
            for level in ("I", "II", "III", "IV")]


def ordered_levels(levels: list[dict]) -> list[dict]:
    """Levels I to IV in order (each level once; the caller has refused duplicates)."""
    rank = {"I": 0, "II": 1, "III": 2, "IV": 3}
    return sorted(levels, key=lambda x: rank.get(x["level"], 9))
