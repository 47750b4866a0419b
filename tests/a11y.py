"""axe-core in the browser tests: ``assert_accessible(page)`` runs axe (bundled by
axe-playwright-python, no download) on the page as it is now, at desktop and phone widths, and
fails on any serious or critical WCAG 2.1 A/AA violation, naming the rule and the elements."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = ("serious", "critical")

_axe = Axe()


def violations(page, *, impacts: tuple[str, ...] = FAILING) -> list[dict[str, Any]]:
    """axe's violations of WCAG 2.1 A/AA on ``page`` as shown now, of the given impacts."""
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]},
    )
    return [v for v in results.response["violations"] if v.get("impact") in impacts]


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['impact']}: {violation['id']} — {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node.get('failureSummary', '')[:200]}")
    return "\n".join(lines)


def assert_accessible(page, *, widths: tuple[dict[str, int], ...] = (DESKTOP, PHONE)) -> None:
    """No serious or critical axe violation on the page at each width; the viewport is put back."""
    size = page.viewport_size
    problems = []
    for viewport in widths:
        page.set_viewport_size(viewport)
        found = violations(page)
        if found:
            problems.append(f"at {viewport['width']}×{viewport['height']}:\n{describe(found)}")
    if size:
        page.set_viewport_size(size)
    assert not problems, f"axe-core on {page.url}:\n" + "\n".join(problems)


def sideways_overflow(page, *, widths: tuple[dict[str, int], ...] = (DESKTOP, PHONE)) -> list[str]:
    """Widths at which the page is wider than the window (it would scroll sideways), with the
    document's width; the viewport is put back. Nothing on a page may need sideways scrolling:
    a wide table scrolls inside its own wrapper, a long word breaks."""
    size = page.viewport_size
    found = []
    for viewport in widths:
        page.set_viewport_size(viewport)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            found.append(f"{page.url} at {viewport['width']} px is {width} px wide")
    if size:
        page.set_viewport_size(size)
    return found
