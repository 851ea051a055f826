"""Reusable proofs for any page: axe-core in a real browser, the W3C HTML checker on files.

Both tools come from npm (tests/browser/package.json, installed by scripts/test.sh):
axe-core is injected into the page; vnu.jar runs on Java. Any page can be checked,
whether served by the app or read from a built site (``file://`` URLs work for axe).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).parent
NODE_MODULES = HERE / "node_modules"
AXE_SCRIPT = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
"""The rules run: WCAG 2.0 and 2.1, levels A and AA."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Debian's Chromium, quiet: no sandbox (root in CI), no calls home."""


def missing_tools() -> list[str]:
    """What the browser suites need and cannot find (scripts/test.sh installs all of it)."""
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package (pip install -e '.[test]')")
    for path in (AXE_SCRIPT, VNU_JAR):
        if not path.exists():
            missing.append(f"{path.relative_to(HERE.parent.parent)} (npm ci --prefix tests/browser)")
    return missing


# -- axe-core -------------------------------------------------------------------------


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on a Playwright page as it stands now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Injected as a script element would be refused by the app's CSP; evaluating is not.
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return result["violations"]


def describe_violations(violations: list[dict]) -> str:
    """axe's findings, one rule a paragraph, each offending element with its selector and fix."""
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = node.get("failureSummary") or ""
            lines.extend(f"        {line}" for line in summary.splitlines())
    return "\n".join(lines)


def assert_accessible(page, what: str = "") -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe-core on {what or page.url}:\n{describe_violations(violations)}"


# -- the W3C HTML checker --------------------------------------------------------------


def html_errors(paths: Iterable[Path]) -> list[str]:
    """Every error the W3C checker (vnu) finds in these HTML files, in one Java run.

    One string per error: the message, then where it is (line, column and file).
    """
    paths = [str(path) for path in paths]
    if not paths:
        return []
    run = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "text", "--exit-zero-always", *paths],
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors: list[str] = []
    for line in (run.stdout + run.stderr).splitlines():
        if line.startswith(("From line", "At line")) and errors:
            errors[-1] += f"\n    {line}"  # where the error above is
        elif line.strip() and "Document checking completed" not in line:
            errors.append(line)
    return errors


def assert_valid_html(paths: Iterable[Path]) -> None:
    errors = html_errors(paths)
    assert errors == [], "W3C HTML checker:\n" + "\n".join(errors)


# -- text enlarged to 200% on a phone ---------------------------------------------------

PHONE = {"width": 360, "height": 740}
"""A common phone, in CSS pixels."""
ENLARGED = {"standard": 32, "fixed": 26}
"""Chromium's own text size setting at 200% (16 and 13 px by default): what "very large text" does to rem and em."""
DEFAULT_SIZES = {"standard": 16, "fixed": 13}
ENLARGED_SPILLS = """() => {
  const scrolls = (element) => {
    for (let up = element.parentElement; up; up = up.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(up).overflowX) && up !== document.documentElement
          && up !== document.body) return true;
    }
    return false;
  };
  const spills = [];
  if (document.documentElement.scrollWidth > window.innerWidth) {
    const widest = [...document.body.querySelectorAll("*")]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1 && !scrolls(element))
      .map((element) => `${element.tagName.toLowerCase()}.${element.className}`).slice(0, 3);
    spills.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px wide (${widest.join(", ")})`);
  }
  for (const element of document.body.querySelectorAll("*:not(svg):not(svg *)")) {
    if (element.clientWidth > 0 && element.scrollWidth > element.clientWidth + 1
        && getComputedStyle(element).overflowX === "visible" && !scrolls(element)) {
      const text = element.textContent.trim().replace(/\\s+/g, " ").slice(0, 50);
      spills.push(`${element.tagName.toLowerCase()}.${element.className} (${text}) is ${element.scrollWidth} px wide in ${element.clientWidth} px`);
    }
  }
  return spills;
}"""
"""What sticks out once text is enlarged: the page scrolling sideways, or text out of its box, outside the regions
that scroll on purpose (a wide table in its own scrolling region) and outside charts (they scale as a whole)."""


ROOT_SIZE = "size => getComputedStyle(document.documentElement).fontSize === size"


def enlarged_text_spills(page) -> list[str]:
    """The page on a 360 px phone with its text at 200% (Chromium's font size setting): what spills, as lines.

    The page is left as it was found (default text size, its viewport).
    """
    viewport = page.viewport_size
    session = page.context.new_cdp_session(page)
    try:
        session.send("Page.setFontSizes", {"fontSizes": ENLARGED})
        page.set_viewport_size(PHONE)
        page.wait_for_function(ROOT_SIZE, arg=f"{ENLARGED['standard']}px")  # the setting reaches the page's renderer
        return [f"at 360 px, text 200%: {spill}" for spill in page.evaluate(ENLARGED_SPILLS)]
    finally:
        session.send("Page.setFontSizes", {"fontSizes": DEFAULT_SIZES})
        page.wait_for_function(ROOT_SIZE, arg=f"{DEFAULT_SIZES['standard']}px")
        session.detach()
        page.set_viewport_size(viewport)
