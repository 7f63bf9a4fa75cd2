"""What a developer runs to add code in the project's layout: ``startapp``, ``makemigrations``.

An app of its own (``side_effects_scaffolding``): its commands replace Django's of the same
name, never a project's own (``host``), and nothing else of the kit needs them.
"""
