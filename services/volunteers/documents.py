"""The volunteers service's PDF: the 志愿服务证明 (certificate of volunteer service)."""
from services.volunteers.config import VERIFY_PATH, public_url
from shared import clock


def verify_url(cert) -> str:
    """The public page that checks this certificate's serial."""
    return public_url(VERIFY_PATH, serial=cert.serial)


def _day(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def render_certificate(cert) -> bytes:
    """志愿服务证明 as an A4 PDF with a QR code to the public verification page."""
    from shared import pdf
    from shared.qr import qr_png

    url = verify_url(cert)
    issued = clock.local(cert.issued_at).date()
    flow = []
    if cert.status == "revoked":
        flow.append(pdf.paragraph(f"【本证明已于{_day(clock.local(cert.revoked_at).date())}作废】"))
    flow += [
        pdf.paragraph(f"兹证明 {cert.volunteer_name} 于 {_day(cert.period_from)} 至 {_day(cert.period_to)} 期间，"
                      f"在{cert.community_name}参加志愿服务，经志愿服务记录核实，累计服务时长 {cert.hours:g} 小时。"),
        pdf.Spacer(1, 4 * pdf.mm),
        pdf.paragraph("特此证明。"),
        pdf.Spacer(1, 8 * pdf.mm),
        pdf.table([["证明编号", cert.serial], ["志愿者", cert.volunteer_name],
                   ["服务期间", f"{_day(cert.period_from)} 至 {_day(cert.period_to)}"],
                   ["服务时长", f"{cert.hours:g} 小时（{cert.entries} 条记录）"],
                   ["出具单位", cert.community_name], ["出具日期", _day(issued)]],
                  widths=[35 * pdf.mm, 130 * pdf.mm]),
        pdf.Spacer(1, 8 * pdf.mm),
        pdf.png(qr_png(url, scale=6), size_mm=32),
        pdf.paragraph(f"扫码或访问 {url} 核验本证明", pdf.SMALL),
    ]
    return pdf.render(title="志愿服务证明", flowables=flow)
