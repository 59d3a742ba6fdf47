"""Chart pages in a real browser: screenshots kept as test artefacts, and a page's weight against the budget."""
import gzip
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Where screenshots are kept (CI keeps the folder as the run's artefacts); TEST_ARTIFACTS moves it.
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS") or ROOT / "test-artifacts") / "screenshots"
PAGE_BUDGET = 100 * 1024  # HTML + CSS, compressed, as docs/architecture.md's page budget
CSS = ROOT / "gateway" / "static" / "app.css"


def keep_screenshot(page, name: str) -> Path:
    """A full-page screenshot of `page` saved as `<name>.png` among the artefacts; its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def page_weight(html: str) -> int:
    """Bytes of the page's HTML and the stylesheet once compressed, as a phone downloads them."""
    return len(gzip.compress(html.encode())) + len(gzip.compress(CSS.read_bytes()))


def record_weight(name: str, weight: int) -> None:
    """Note a page's weight beside its screenshot (weights.tsv among the artefacts: name, bytes, the budget)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (ARTIFACTS / "weights.tsv").open("a") as f:
        f.write(f"{name}\t{weight}\t{PAGE_BUDGET}\n")
