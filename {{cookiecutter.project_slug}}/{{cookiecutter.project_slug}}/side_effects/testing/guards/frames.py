"""Where the code that does something lives: business code or not, and how to point at it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from ...inspection.scope import is_project_file, is_test_file
from ...runtime.conf import KIT_DIR, relative_to_root

_KIT_PREFIX = f"{KIT_DIR}{os.sep}"


def is_business_code(filename: str) -> bool:
    """Whether ``filename`` is project code other than the kit and tests."""
    if not is_project_file(filename) or is_test_file(filename):
        return False
    return not is_kit_file(filename)


def is_judged_code(filename: str) -> bool:
    """Whether ``filename`` is code a receiver's rules judge: project code, tests included, other
    than the kit's own machinery (its tests stand in for a project's receivers)."""
    if not is_project_file(filename):
        return False
    return not is_kit_file(filename) or is_test_file(filename)


def first_of(frame: FrameType | None, directories: tuple[str, ...]) -> bool:
    """Whether, outwards from ``frame``, code in ``directories`` comes before judged code.

    How a sanctioned door (a cache backend, a logging handler, asgiref) is told from project
    code that it calls back: the door counts only when it, not project code, does the work.
    """
    for each in outward(frame):
        filename = each.f_code.co_filename
        if filename.startswith(directories):
            return True
        if is_judged_code(filename):
            return False
    return False


def is_kit_file(filename: str) -> bool:
    """Whether ``filename`` is part of this kit."""
    return filename.startswith(_KIT_PREFIX)


def outward(frame: FrameType | None) -> Iterator[FrameType]:
    """``frame`` and the frames that called it, outwards (``outward(sys._getframe(2))``)."""
    while frame is not None:
        yield frame
        frame = frame.f_back


def where(frame: FrameType | None) -> str:
    """``path/to/module.py:12 (function)``, relative to the project root that holds it."""
    if frame is None:
        return "unknown code"
    filename = frame.f_code.co_filename
    relative = relative_to_root(Path(filename))
    shown = filename if relative is None else str(relative)
    return f"{shown}:{frame.f_lineno} ({frame.f_code.co_qualname})"
