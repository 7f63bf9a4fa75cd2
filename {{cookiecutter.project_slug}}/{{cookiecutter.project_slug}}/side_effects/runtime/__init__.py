"""What production imports: ``@side_effect``, the registry of receivers and the kit's settings.

Nothing here imports the kit's inspection, testing or scaffolding code (an import contract in
``pyproject.toml`` keeps it so).
"""
