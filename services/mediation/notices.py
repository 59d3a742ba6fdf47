"""The one-time notice (一次告知) given with every receipt: what happens next, what to bring, by when.

One text per category, Chinese first (what the applicant reads) with an English line for staff.
`{due}` is filled with the case's due date and `{days}` with the commitment in working days.
Requests (求助/办事) have a notice per category (what to bring); incidents one notice.
"""
from services.mediation.config import SETTINGS

CATEGORY_LABELS = {
    "neighbours": "邻里纠纷",
    "family": "婚姻家庭纠纷",
    "property_management": "物业管理纠纷",
    "land": "土地纠纷",
    "labour": "劳动劳务纠纷",
    "other": "其他纠纷",
}

OUTCOME_LABELS = {
    "agreement": "达成调解协议",
    "no_agreement": "调解不成",
    "withdrawn": "申请人撤回",
    "referred": "移交其他调解或司法程序处理",
}

REFERRAL_LABELS = {
    "administrative": "行政调解",
    "judicial": "司法调解",
    "judicial_confirmation": "司法确认",
}

_COMMON_STEPS = [
    "本案已登记受理，案件编号见回执，请妥善保存；查询进度请报案件编号。",
    "社区人民调解委员会将指派调解员，调解员会与您联系约定调解时间和地点（社区调解室）。",
    "调解遵循自愿、平等、合法原则，不收取任何费用；您可以随时撤回申请。",
    "达成协议的，当场制作人民调解协议书由各方签字；调解不成的，我们会告知您申请行政调解、司法调解或向人民法院起诉的途径。",
    "结案时您会收到结案告知书，请用您本人的手机扫描上面的二维码，对本次服务作出满意度评价（工作人员不会代为填写）。",
]

_COMMON_DOCUMENTS = ["申请人身份证件（原件，现场核对后即退还，不留存复印件）"]

_BY_CATEGORY = {
    "neighbours": {
        "steps": ["调解员可能会到现场查看（如噪音、漏水、通道占用等情况），请配合。"],
        "documents": ["现场照片或视频（如有）", "物业或相关部门的处理记录（如有）"],
    },
    "family": {
        "steps": ["涉及婚姻家庭的调解不公开进行，个人隐私依法保护。",
                  "如存在家庭暴力或人身危险，请立即拨打110，我们将同时按重大案件上报。"],
        "documents": ["户口簿或结婚证（如涉及）", "赡养、抚养、财产等相关凭证（如有）"],
    },
    "property_management": {
        "steps": ["调解员将通知物业服务企业派员参加调解。"],
        "documents": ["物业服务合同或缴费凭证", "报修、投诉记录及往来通知（如有）", "现场照片（如有）"],
    },
    "land": {
        "steps": ["调解员可能会同村（社区）两委到现场勘查界址。",
                  "涉及土地权属确认的，依法应由人民政府处理，我们会告知并协助您提出申请。"],
        "documents": ["土地承包经营权证、宅基地使用权证或不动产权证", "相关合同、协议、四至界址图（如有）"],
    },
    "labour": {
        "steps": ["调解员将通知用工方参加调解。",
                  "劳动争议申请仲裁的时效为一年，调解期间请注意时效；如需要，我们会告知劳动人事争议仲裁的途径。"],
        "documents": ["劳动合同或用工证明（工牌、工作群记录、考勤等）", "工资条、转账记录或欠条"],
    },
    "other": {
        "steps": [],
        "documents": ["与纠纷有关的合同、凭证、照片等材料（如有）"],
    },
}

_DEADLINE = ("我们承诺自登记之日起{days}个工作日内（至{due}，含当日）办结或告知您处理结果；"
             "需要等待当事人或补充材料的，暂停期间不计入，延期须说明理由并告知您。")


def notice(category: str, *, due, days: int) -> dict:
    """The one-time notice for a case of `category` due on `due`."""
    extra = _BY_CATEGORY[category]
    return {
        "category": category,
        "category_label": CATEGORY_LABELS[category],
        "title": f"{CATEGORY_LABELS[category]}受理一次性告知书",
        "steps": _COMMON_STEPS + extra["steps"],
        "documents": _COMMON_DOCUMENTS + extra["documents"],
        "deadline": _DEADLINE.format(days=days, due=f"{due.year}年{due.month}月{due.day}日"),
        "english": (f"Registered. A mediator will be assigned; the case is due within {days} "
                    f"working days, by {due.isoformat()}; pauses do not count, extensions are explained."),
    }


# ---- the desk: requests for help or service (求助/办事) and incidents (事件) ------------------------

KIND_LABELS = {"dispute": "矛盾纠纷", "request": "求助办事", "incident": "事件"}

REQUEST_CATEGORY_LABELS = {
    "subsistence": "最低生活保障",
    "elderly_care": "养老服务",
    "disability": "残疾人服务",
    "certificate": "证明开具",
    "medical_insurance": "医疗保险",
    "employment": "就业服务",
    "housing": "住房保障",
    "daily_help": "生活求助",
    "other": "其他事项",
}

# What a request may ask volunteers for (shared.events.mediation.HELP_KINDS).
HELP_LABELS = {"groceries": "代购生活用品", "escort": "陪同就医办事", "visit": "上门探访", "cleaning": "清洁打扫",
               "repair": "小修小补", "other": "其他帮扶"}

_REQUEST_STEPS = [
    "您的事项已登记受理，编号见回执，请妥善保存；扫描回执上的二维码可随时查看办理进度和结果。",
    "社区将把事项分派给相关部门或工作人员办理，办理结果会告知您，并请您（或社区）核查确认。",
    "需要补充材料的，我们一次性告知，不会让您多跑路。",
    "办结后请用您本人的手机对本次服务作出满意度评价（工作人员不会代为填写）。",
]

_REQUEST_DOCUMENTS = {
    "subsistence": ["户口簿", "家庭成员身份证", "家庭成员收入证明（工资条、退休金或无收入声明）",
                    "家庭财产情况说明（存款、房产、车辆）", "银行卡（用于发放）",
                    "残疾证、病历等证明（如有）"],
    "elderly_care": ["老人身份证、户口簿", "失能或健康状况证明（如申请护理补贴）", "银行卡（用于发放补贴）"],
    "disability": ["残疾人证", "身份证、户口簿", "近期一寸免冠照片（如办证或换证）", "医院诊断证明（如初次评定）"],
    "certificate": ["本人身份证、户口簿", "需要证明的事项的相关材料（如租房合同、单位要求的格式）",
                    "代办的，另带代办人身份证和委托书"],
    "medical_insurance": ["身份证或社会保障卡", "户口簿（新参保、新生儿参保）", "医疗费用票据及病历（如报销）"],
    "employment": ["身份证", "学历或职业资格证书（如有）", "就业失业登记证（如有）"],
    "housing": ["户口簿、身份证", "家庭收入证明", "现住房情况证明（租房合同或产权证明）"],
    "daily_help": ["无需材料；如涉及特定人员，请告知其姓名和住址"],
    "other": ["与所办事项有关的证件和材料（如有）"],
}

_INCIDENT_STEPS = [
    "事件已登记，编号见回执；社区将分派给相关部门或人员处置，并在处置后核查。",
    "情况紧急、危及人身安全的，请立即拨打110、119或120。",
    "处置结果经核查后结案，可扫描回执上的二维码查看进度和结果。",
]

_DESK_DEADLINE = ("我们承诺自登记之日起{days}个工作日内（至{due}，含当日）办结或告知您办理结果；"
                  "需要等待补充材料的，暂停期间不计入，延期须说明理由并告知您。")


def category_labels(kind: str | None) -> dict:
    """The categories of a kind of case, code -> Chinese name (incidents' are a setting)."""
    if kind == "request":
        return REQUEST_CATEGORY_LABELS
    if kind == "incident":
        return SETTINGS.INCIDENT_CATEGORIES
    return CATEGORY_LABELS


def category_label(kind: str | None, code: str) -> str:
    """A case's category as people read it (a code no longer configured reads as itself, never an error)."""
    return category_labels(kind or "dispute").get(code, code)


def kind_label(kind: str | None) -> str:
    return KIND_LABELS[kind or "dispute"]


def desk_notice(kind: str, category: str, *, due, days: int) -> dict:
    """The one-time notice for a request (what to bring, per category) or an incident due on `due`."""
    if (kind or "dispute") == "dispute":
        return notice(category, due=due, days=days)
    label = category_label(kind, category)
    steps, documents = ((_REQUEST_STEPS, _REQUEST_DOCUMENTS.get(category, _REQUEST_DOCUMENTS["other"]))
                        if kind == "request" else (_INCIDENT_STEPS, []))
    return {
        "category": category,
        "category_label": label,
        "title": f"{label}{'受理一次性告知书' if kind == 'request' else '事件登记告知'}",
        "steps": list(steps),
        "documents": list(documents),
        "deadline": _DESK_DEADLINE.format(days=days, due=f"{due.year}年{due.month}月{due.day}日"),
        "english": (f"Registered as a {kind}. It will be dispatched and handled within {days} working days, by "
                    f"{due.isoformat()}; the receipt's link shows its progress and outcome."),
    }
