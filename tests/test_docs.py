"""The READMEs list what the kit's code holds: its check ids and the module names it skips.

The code is the one home of each list; these tests fail when a README drifts from it, naming
what to add or remove.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from .helpers import TEMPLATE_DIR

KIT = next(TEMPLATE_DIR.glob("*/*/side_effects"))
CHECK_ID = re.compile(r'^([EW]\d{3}) = "side_effects\.\1"$', re.M)
# "... except tests (`test`, `tests`, ...), migrations ..." in both READMEs, across line breaks.
SKIPPED_LIST = re.compile(r"except tests \(([^)]*)\)")


@pytest.fixture(scope="module")
def generated_readme(default_project: Path) -> str:
    return (default_project / "README.md").read_text()


def check_ids_in_code() -> set[str]:
    """Every id the kit's checks define, as ``side_effects.E001``."""
    sources = (path.read_text() for path in (KIT / "inspection" / "checks").glob("*.py"))
    return {f"side_effects.{name}" for source in sources for name in CHECK_ID.findall(source)}


def skipped_names_in_code() -> set[str]:
    """The test-module names ``scope.py`` skips, with its prefix and suffix as ``test_*``."""
    values = {}
    names = ("TEST_MODULES", "TEST_PREFIX", "TEST_SUFFIX")
    for node in ast.parse((KIT / "inspection" / "scope.py").read_text()).body:
        target = node.targets[0] if isinstance(node, ast.Assign) else None
        if isinstance(target, ast.Name) and target.id in names:
            values[target.id] = ast.literal_eval(node.value)
    return {*values["TEST_MODULES"], f"{values['TEST_PREFIX']}*", f"*{values['TEST_SUFFIX']}"}


def test_the_template_readme_lists_every_check_and_no_other() -> None:
    readme = (TEMPLATE_DIR / "README.md").read_text()
    listed = set(re.findall(r"^\| `(side_effects\.[EW]\d{3})` \|", readme, re.M))
    defined = check_ids_in_code()

    assert len(defined) >= 9, defined
    missing, extra = sorted(defined - listed), sorted(listed - defined)
    assert listed == defined, f"README.md's check table: add {missing}, remove {extra}"


def test_the_generated_readme_gives_the_range_of_check_ids(generated_readme: str) -> None:
    defined = check_ids_in_code()
    last = {kind: max(each[-3:] for each in defined if each[-4] == kind) for kind in "EW"}

    assert f"`side_effects.E001`-`E{last['E']}`, `W001`-`W{last['W']}`" in generated_readme


@pytest.mark.parametrize("readme", ["template", "generated"])
def test_each_readme_names_every_test_module_the_kit_skips(
    readme: str, generated_readme: str
) -> None:
    text = (TEMPLATE_DIR / "README.md").read_text() if readme == "template" else generated_readme
    [listed] = SKIPPED_LIST.findall(" ".join(text.split()))

    assert set(re.findall(r"`([^`]+)`", listed.partition(":")[0])) == skipped_names_in_code()
