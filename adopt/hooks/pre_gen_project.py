"""Validate the answers before the kit is written into an existing project; refuse bad ones.

Each problem is printed as one line on stderr naming the answer, what is wrong and how to fix
it; all problems are reported at once, then the hook exits 1 and cookiecutter removes the
``side_effects`` directory it has just created (still empty: this hook runs before any file is
written). Cookiecutter runs it inside that directory, so its parent is where ``-o`` pointed.
"""

import json
import keyword
import sys
from pathlib import Path

# Rendered by cookiecutter: every answer as JSON, inside a Python string literal, so quotes,
# backslashes and line breaks in an answer cannot break this file.
ANSWERS = json.loads({{cookiecutter | tojson | tojson}})


def is_identifier(name: str) -> bool:
    """Whether ``name`` can be a module's name in an import statement."""
    return name.isidentifier() and not keyword.iskeyword(name)


def package_problems(package: str) -> list[str]:
    """The problems of the ``package`` answer."""
    if not is_identifier(package):
        return [
            f"package {package!r} is not a Python identifier; pass the name your code imports, "
            "e.g. package=shop (from shop import models)."
        ]
    return []


def settings_problems(settings_module: str) -> list[str]:
    """The problems of the ``settings_module`` answer."""
    parts = settings_module.split(".")
    if settings_module.endswith(".py") or "/" in settings_module or "\\" in settings_module:
        dotted = settings_module.removesuffix(".py").replace("\\", "/").strip("/")
        return [
            f"settings_module {settings_module!r} is a file name; pass the dotted module "
            f"DJANGO_SETTINGS_MODULE names, e.g. settings_module={dotted.replace('/', '.')}."
        ]
    if not all(is_identifier(part) for part in parts):
        return [
            f"settings_module {settings_module!r} is not a dotted module path; pass the value "
            "of DJANGO_SETTINGS_MODULE, e.g. settings_module=shop.settings."
        ]
    return []


def location_problems(package: str, kit_directory: Path) -> list[str]:
    """Whether ``-o`` points at the package's own directory, where the kit goes."""
    target = kit_directory.parent
    if target.name != package or not (target / "__init__.py").is_file():
        return [
            f"-o {target} is not the directory of the package {package!r}; pass -o "
            f"path/to/{package} (the directory that holds its __init__.py)."
        ]
    return []


def main() -> int:
    """Print every problem, one line each; exit status 1 if there is any."""
    package = str(ANSWERS["package"])
    problems = package_problems(package) + settings_problems(str(ANSWERS["settings_module"]))
    if not problems:
        problems = location_problems(package, Path.cwd())
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
