"""The example app: products, their audit trail, and the receivers that react to them.

Read it as a pattern to copy: business logic in ``services``, reads in ``selectors``, heavy work
in ``tasks``, and only small, documented side effects in ``signals``.
"""
