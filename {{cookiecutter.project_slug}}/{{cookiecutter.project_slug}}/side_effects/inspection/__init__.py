"""What ``manage.py check`` and ``manage.py signalmap`` run: the kit's view of the project.

:mod:`.scope` says which code is the project's, :mod:`.loading` imports it, :mod:`.signal_names`
finds and names every signal, :mod:`.connections` lists what each one is connected to,
:mod:`.senders` who sends the project's own, and :mod:`.receiver_source` what a receiver's
code does before it runs (read by :mod:`.source_reader`, which knows a call by its
:mod:`.spelling` and follows it with :mod:`.call_targets`); the :mod:`.checks` and the
:mod:`.signal_map` are built on them. Installed as the app labelled ``side_effects``.
"""
