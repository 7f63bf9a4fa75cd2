"""What a name called in a function's body stands for, found without running any code.

:func:`resolve` follows a call's dotted name from the function's module through modules and
classes (``helper``, ``rules.helper``, ``Rules.check``, ``self.check`` in a method);
:func:`function_of` finds the plain function behind whatever a receiver is. What is chosen at
run time (``handler().check``, a function passed in) resolves to ``None``, and
:func:`chosen_at_run_time` tells when that happens inside the project's code.
"""

from __future__ import annotations

import inspect
import sys
from contextlib import suppress
from types import FunctionType, ModuleType

from django.tasks import Task

from ..runtime.conf import KIT_DIR
from ..runtime.naming import unwrapped
from .scope import is_project_file, is_test_file


def function_of(receiver: object) -> FunctionType | None:
    """The plain function behind a receiver (a method's, a partial's, a decorated one's, a
    callable object's ``__call__``)."""
    target = inspect.unwrap(unwrapped(receiver))  # type: ignore[arg-type]
    if not isinstance(target, FunctionType | type):
        target = inspect.getattr_static(type(target), "__call__", None)
    return target if isinstance(target, FunctionType) else None


def resolve(func: FunctionType, chain: list[str]) -> object | None:
    """What a call's name is, read through modules and classes from ``func``'s module.

    ``helper``, ``module.helper``, ``Class.method``, ``module.Class.method``,
    ``self.method`` / ``cls.method`` in a method (the class that defines ``func``), and the
    function a decorator's wrapper encloses.
    """
    if not chain:
        return None
    head, *rest = chain
    value = _lookup(func, head)
    for name in rest:
        value = _member(value, name)
    return value


def chosen_at_run_time(func: FunctionType, chain: list[str]) -> bool:
    """Whether a call's name leads into the project's code, then to what only running it decides:
    ``Handler.get_implementation().check`` (what ``get_implementation`` returns), or
    ``self.handler.check`` (an attribute set on the instance)."""
    if not chain:
        return False
    head, *rest = chain
    value = _lookup(func, head)
    for name in rest:
        if not _is_project_object(value):
            return False
        value = _member(value, name)
        if value is None:
            return True
    return False


def _is_project_object(value: object) -> bool:
    """A module, class or function (a class's method included) of the project's code."""
    if isinstance(value, FunctionType | classmethod | staticmethod):
        function = function_of(value)
        return function is not None and is_project_function(function)
    module = value if isinstance(value, ModuleType) else None
    if isinstance(value, type):
        module = sys.modules.get(value.__module__)
    return module is not None and is_project_file(getattr(module, "__file__", None))


def _lookup(func: FunctionType, name: str) -> object | None:
    """What ``name`` is in ``func``: the class that defines it for ``self`` and ``cls``, a
    variable of the function that encloses it (a decorator's ``func``, when it does not use
    ``functools.wraps``), else a global of its module."""
    if name in ("self", "cls"):
        return _defining_class(func)
    free = func.__code__.co_freevars
    value: object | None = None
    if name in free and func.__closure__ is not None:
        with suppress(ValueError):  # the enclosing function has not assigned it yet
            value = func.__closure__[free.index(name)].cell_contents
    else:
        value = func.__globals__.get(name)
    return value


def _member(value: object, name: str) -> object | None:
    """``value.name`` when ``value`` is a module or a class, read without running any code."""
    member: object | None = None
    if isinstance(value, ModuleType):
        member = vars(value).get(name)
    elif isinstance(value, type):
        member = inspect.getattr_static(value, name, None)
    return member


def _defining_class(func: FunctionType) -> type | None:
    """The module-level class (or class nested in one) whose body defines ``func``."""
    *owners, _name = func.__qualname__.split(".")
    if not owners or "<locals>" in owners:
        return None
    value: object = func.__globals__.get(owners[0])
    for owner in owners[1:]:
        value = _member(value, owner)
    return value if isinstance(value, type) else None


def is_task(value: object) -> bool:
    """Whether ``value`` is a background task (Django's ``@task``, or Celery's)."""
    return isinstance(value, Task) or callable(getattr(value, "apply_async", None))


def is_project_function(function: FunctionType) -> bool:
    """A function of the project, other than the kit's own machinery (its tests stand in for a
    project's code)."""
    filename = function.__code__.co_filename
    kit = filename.startswith(f"{KIT_DIR}/") and not is_test_file(filename)
    return is_project_file(filename) and not kit
