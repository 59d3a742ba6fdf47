"""Notification feeds: each step of a case told to its first-contact owner and the mediators (a dispute's) or the
handler (a request's or an incident's) concerned."""
import mongoengine as me
from bson import ObjectId
from bson.errors import InvalidId

from services.mediation import notices
from services.mediation.config import SETTINGS
from services.mediation.models import Notification
from shared.clock import now
from shared.errors import NotFound
from shared.identity import Principal
from shared.reasons import mediation as reasons


def _label(mapping: dict, key) -> str:
    return mapping.get(key, key or "")


def _steps(who: str, n: str, due, d: dict) -> dict:
    """The lines of the steps disputes, requests and incidents share (`who`: 纠纷, 求助办事 or 事件)."""
    return {
        "registered": f"{who} {n} 已登记受理，办结期限 {due}",
        "paused": f"{who} {n} 暂停计时：{d.get('reason')}",
        "resumed": f"{who} {n} 恢复计时，暂停 {d.get('paused_working_days')} 个工作日，新的办结期限 {due}",
        "extended": f"{who} {n} 延期 {d.get('working_days')} 个工作日：{d.get('reason')}；新的办结期限 {due}",
        "extension_requested": f"{who} {n} 申请延期 {d.get('working_days')} 个工作日，待社区审批：{d.get('reason')}",
        "extension_refused": f"{who} {n} 延期申请未获批准：{d.get('reason')}；办结期限仍为 {due}",
        "deadline_warning": f"{who} {n} 还剩 {d.get('working_days_left')} 个工作日到期（{due}）",
        "overdue": f"{who} {n} 已超过办结期限（{due}）",
        "escalated": f"{who} {n} 列为重大案件，已向社区、街道专报",
        "archived": f"{who} {n} 已归档，档案号 {d.get('archive_number')}",
    }


def _case_steps(who: str, n: str, d: dict) -> dict:
    """The desk's own steps of a request or an incident."""
    to = _label(SETTINGS.DISPATCH_DEPARTMENTS, d.get("department")) if d.get("target") == "department" else "处置人"
    return {
        "dispatched": f"{who} {n} 已分拨给{to}，处置期限 {d.get('dispatch_due_on')}",
        "handled": f"{who} {n} 已处置，待核查",
        "sent_back": f"{who} {n} 核查未通过，已退回重新处置：{d.get('reason')}",
        "verified": f"{who} {n} 核查通过",
        "closed": f"{who} {n} 已结案，已请反映人评价满意度",
        "satisfaction_recorded": f"{who} {n} 收到满意度评价：{d.get('rating')} 分",
        "help_requested": f"{who} {n} 已请志愿者帮扶：{_label(notices.HELP_LABELS, d.get('help'))}",
    }


def message(event) -> str:
    """The Chinese line a user's feed shows for a step of a case (a dispute, a request or an incident)."""
    d = event.data
    n, due = d["number"], d.get("due_on")
    family, _, step = event.type.partition(".")
    if family == "case":
        who = notices.kind_label(d.get("kind"))
        return {**_steps(who, n, due, d), **_case_steps(who, n, d)}.get(step, f"{who} {n}：{event.type}")
    texts = {
        **{f"dispute.{k}": v for k, v in _steps("纠纷", n, due, d).items()},
        "dispute.assigned": f"纠纷 {n} 已{'改派' if d.get('previous_mediator_id') else '指派'}调解员",
        "dispute.session_held": f"纠纷 {n} 已开展调解（{d.get('held_on')}）",
        "dispute.resolved": f"纠纷 {n} 调解结果：{_label(notices.OUTCOME_LABELS, d.get('outcome'))}",
        "dispute.referred": f"纠纷 {n} 已移交{_label(notices.REFERRAL_LABELS, d.get('kind'))}：{d.get('to_body')}",
        "dispute.referral_returned": f"纠纷 {n} {_label(notices.REFERRAL_LABELS, d.get('kind'))}结果已反馈",
        "dispute.closed": f"纠纷 {n} 已结案，已请申请人评价满意度",
        "satisfaction.recorded": f"纠纷 {n} 收到满意度评价：{d.get('rating')} 分",
    }
    return texts.get(event.type, f"纠纷 {n}：{event.type}")


def recipients(event) -> dict[str, str]:
    """Who hears of a step: the first-contact owner always, the mediator(s) or the handler concerned; never the one
    who did it."""
    d = event.data
    out = {d["first_contact_id"]: "first_contact"}
    if d.get("mediator_id"):
        out.setdefault(d["mediator_id"], "mediator")
    if d.get("previous_mediator_id"):
        out.setdefault(d["previous_mediator_id"], "previous_mediator")
    if d.get("handler_id"):
        out.setdefault(d["handler_id"], "handler")
    out.pop(d.get("actor_id"), None)
    return out


def notify(event) -> int:
    """Put a case's event in the feeds of those who must hear of it (once per user and event)."""
    added = 0
    case_id = event.data.get("dispute_id") or event.data["case_id"]
    for user_id, why in recipients(event).items():
        try:
            Notification(user_id=user_id, event_id=event.id, event_type=event.type, dispute_id=case_id,
                         number=event.data["number"], community_id=event.data.get("community_id"),
                         message=message(event), why=why, at=event.occurred_at).save(force_insert=True)
            added += 1
        except me.NotUniqueError:
            pass
    return added


def list_notifications(*, actor: Principal, unread_only: bool = False, limit: int = 50) -> dict:
    """The caller's feed, newest first, with the unread count."""
    actor.require("notifications.read")
    query = Notification.objects(user_id=actor.user_id)
    unread = query.filter(read_at=None).count()
    if unread_only:
        query = query.filter(read_at=None)
    return {"items": list(query.order_by("-at").limit(limit)), "unread": unread}


def mark_read(*, actor: Principal, notification_id: str | None = None) -> int:
    """Mark one notification (or, without an id, all) of the caller's as read; returns how many changed."""
    actor.require("notifications.read")
    query = Notification.objects(user_id=actor.user_id, read_at=None)
    if notification_id:
        try:
            oid = ObjectId(notification_id)
        except (InvalidId, TypeError):
            raise NotFound(reasons.NOTIFICATION_NOT_FOUND()) from None
        if not Notification.objects(pk=oid, user_id=actor.user_id).first():
            raise NotFound(reasons.NOTIFICATION_NOT_FOUND())
        query = query.filter(pk=oid)
    return query.update(set__read_at=now())
