"""What a developer runs to add code in the project's layout: ``startapp``, ``makemigrations``.

An app of its own (``side_effects_scaffolding``), so that a project can leave it out and keep
Django's commands.
"""
