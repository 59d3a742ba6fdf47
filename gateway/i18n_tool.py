"""Keep the zh_CN catalog in step with the code: `python -m gateway.i18n_tool [--check]`.

Extracts the messages of gateway/ (English ids), merges them into translations/zh_CN/LC_MESSAGES/
messages.po under translations/zh_Hans_CN (new ones arrive untranslated), compiles messages.mo, and lists what still needs a
translation. With --check it changes nothing and exits 1 when the catalog is behind the code.
"""
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).parent
PO = ROOT / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def extract() -> Catalog:
    template = Catalog(project="grid-governance gateway")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), METHODS, keywords=KEYWORDS, options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}}):
        if filename.startswith("i18n_tool"):
            continue
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def load() -> Catalog:
    if PO.exists():
        with PO.open("rb") as f:
            return read_po(f, locale="zh_CN")
    return Catalog(locale="zh_CN")


def status(catalog: Catalog, template: Catalog) -> tuple[list[str], list[str]]:
    wanted = {m.id for m in template if m.id}
    missing = sorted(m for m in wanted if not (catalog.get(m) and catalog.get(m).string))
    stale = sorted(m.id for m in catalog if m.id and m.id not in wanted)
    return missing, stale


def compiled(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def translations(catalog: Catalog) -> dict:
    """What a catalog translates, without its header (which names the Babel version that wrote it)."""
    key = lambda value: tuple(value) if isinstance(value, (list, tuple)) else value  # noqa: E731
    return {key(m.id): key(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def _read(mo: Path) -> Catalog:
    with mo.open("rb") as f:
        return read_mo(f)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    template = extract()
    catalog = load()
    if "--check" in argv:
        missing, _ = status(catalog, template)
        fresh = MO.exists() and translations(_read(MO)) == translations(catalog)
        for m in missing:
            print(f"untranslated: {m!r}")
        if not fresh:
            print("messages.mo is not compiled from messages.po")
        return 1 if missing or not fresh else 0
    catalog.update(template, no_fuzzy_matching=True)
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as f:
        write_po(f, catalog, omit_header=False, sort_output=True, include_previous=False, no_location=True)
    MO.write_bytes(compiled(catalog))
    missing, _ = status(catalog, template)
    for m in missing:
        print(f"untranslated: {m!r}")
    print(f"{len(template)} messages, {len(missing)} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
