"""The catalog's business logic: call these instead of saving models directly.

Every write the catalog knows about goes through a function here, so the audit trail and the
invariants are enforced in one explicit, transactional place (views and the admin included).
"""

from .products import create_product, update_product

__all__ = ["create_product", "update_product"]
