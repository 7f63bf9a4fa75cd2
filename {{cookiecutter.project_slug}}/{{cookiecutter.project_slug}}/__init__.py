"""{{ cookiecutter.project_name }}.

{{ cookiecutter.description | wordwrap(96) }}
"""
