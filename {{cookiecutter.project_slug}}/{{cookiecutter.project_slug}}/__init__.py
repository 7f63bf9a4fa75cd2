{%- from "escape.jinja" import string_body -%}
"""{{ string_body(cookiecutter.project_name) }}.

{{ string_body(cookiecutter.description) | wordwrap(96, false) }}
"""
