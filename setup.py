"""The one build step pyproject.toml cannot declare: the message catalogs compiled into the wheel.

Only the ``.po`` catalogs are committed; ``.mo`` files are build products
(git-ignored). Without this step a wheel built from a clean clone would carry
no compiled catalog, and Babel would serve ``/fr/`` in English without a word.
An editable install reads the catalogs that scripts/setup.sh compiles in place.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGS = Path("coresp_survey") / "translations"


class build_py_with_catalogs(build_py):  # noqa: N801 (setuptools names its commands so)
    """``build_py``, then each ``translations/<lang>/LC_MESSAGES/*.po`` compiled to ``.mo`` beside it in the build."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for po_path in sorted(CATALOGS.glob("*/LC_MESSAGES/*.po")):
            mo_path = Path(self.build_lib) / po_path.with_suffix(".mo")
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)
            self.announce(f"compiled {po_path} into {mo_path}", level=2)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        compiled = [str(Path(self.build_lib) / po.with_suffix(".mo")) for po in CATALOGS.glob("*/LC_MESSAGES/*.po")]
        return sorted(set(super().get_outputs(include_bytecode)) | set(compiled))


setup(cmdclass={"build_py": build_py_with_catalogs})
