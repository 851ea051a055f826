"""The README's layout names every module of the package, under its own folder, one row each."""

from __future__ import annotations

import re

from helpers import ROOT

PACKAGE = ROOT / "coresp_survey"


def layout_rows() -> dict[str, set[str]]:
    """Folder → the names written in the first cell of its table's rows (``a.py``, ``b.py`` split apart)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = text[text.index("## Layout") :]
    named: dict[str, set[str]] = {}
    folder = None
    for line in layout.splitlines():
        if line.startswith("**"):  # a folder's heading; "Beside the package" is none
            heading = re.match(r"\*\*`coresp_survey/`\*\*|\*\*`([a-z_]+)/`\*\*", line)
            folder = (heading.group(1) or "") if heading else None
            continue
        if folder is not None and line.startswith("| `"):
            first_cell = line.split("|")[1]
            named.setdefault(folder, set()).update(re.findall(r"`([^`]+)`", first_cell))
    return named


def test_every_module_has_its_row_under_its_folder():
    named = layout_rows()
    missing = []
    for module in sorted(PACKAGE.rglob("*.py")):
        folder = module.parent.relative_to(PACKAGE).as_posix()
        folder = "" if folder == "." else folder
        if module.name == "__init__.py" and folder:
            continue
        if module.name not in named.get(folder, set()):
            missing.append(module.relative_to(ROOT).as_posix())
    assert not missing, f"modules without a line in the README's layout: {missing}"


def test_no_row_names_a_module_that_is_gone():
    gone = [
        f"{folder}/{name}"
        for folder, names in layout_rows().items()
        for name in names
        if name.endswith(".py") and not (PACKAGE / folder / name).is_file()
    ]
    assert not gone, f"the README's layout names modules that do not exist: {gone}"
