"""Development: what fired. The cascade of receivers a request, a command or a task set off.

:mod:`.recorder` records it (an observer of the receiver calls), :mod:`.render` writes it as a
tree; :mod:`.middleware` and :mod:`.apps` log one per request, command and task run, and
:mod:`.panel` shows it in django-debug-toolbar, each receiver linked to its entry in the signal
map (:mod:`.views`). Installed as the app labelled ``side_effects_tracing`` by the local
settings only: production never imports it.
"""
