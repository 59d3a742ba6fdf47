"""Reading the monthly reports in tests: issue one through its page, one section of the page, the PDF's text."""
import io
import re

from pypdf import PdfReader

from tests.support.pages import text
from tests.support.stack import page_token


def flat(words: str) -> str:
    """`words` without any white space (pypdf breaks lines where the PDF does)."""
    return re.sub(r"\s+", "", words)


def issue(client, path: str) -> str:
    """Issue (or re-issue) the report at `path` as the page's button does; the page then shown."""
    answer = client.post(path, data={"csrf_token": page_token(client, path)})
    assert answer.status_code == 303, text(answer)
    return text(client.get(path))


def section(page: str, key: str) -> str:
    """The HTML of the report section `key` (cases, register, volunteers, drills) on a report's page."""
    found = re.search(rf'<section class="report-section" id="section-{key}">(.*?)</section>', page, re.S)
    assert found, f"no section {key} on the page"
    return found[1]


def figures(html: str) -> dict[str, str]:
    """A section's figures: each <dt> with its <dd>."""
    return dict(re.findall(r"<dt>([^<]+)</dt><dd[^>]*>([^<]+)</dd>", html))


def pdf_text(client, path: str) -> str:
    """The text of the report's PDF (`path` + .pdf), without white space."""
    answer = client.get(f"{path}.pdf")
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/pdf"
    return flat("".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.data)).pages))
