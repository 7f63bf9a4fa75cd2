"""What runs only under the tests: the runtime guards and the pytest plugin that installs them.

Nothing here is imported by production.
"""
