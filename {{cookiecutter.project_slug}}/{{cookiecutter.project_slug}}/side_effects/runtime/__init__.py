"""What production imports: ``@side_effect``, the registry of receivers and the kit's settings.

Nothing here imports the kit's inspection, testing or scaffolding code
{%- if cookiecutter.get("_adopted") %} (the template's import
contracts keep it so).
{%- else %} (an import contract in
``pyproject.toml`` keeps it so).
{%- endif %}
"""
