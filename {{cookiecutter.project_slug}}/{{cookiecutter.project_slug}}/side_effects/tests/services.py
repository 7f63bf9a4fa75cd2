"""A stand-in ``services`` module for the guard tests: business logic a receiver must not call."""


def recount_groups() -> int:
    """Pretend to run a business rule."""
    return 0
