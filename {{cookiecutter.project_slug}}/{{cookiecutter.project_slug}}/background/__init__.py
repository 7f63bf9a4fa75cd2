"""Background work that is never lost: the project's hand-off, recovery and retry rules.
{%- if cookiecutter.background_tasks == "database" %}

Tasks are queued with ``task.enqueue()`` *inside* the caller's transaction: django-tasks-db
stores them as rows of the project database, so a change and the work it causes commit (or roll
back) together. ``python manage.py db_worker`` (this app's version of django-tasks-db's worker)
runs them, re-runs a task whose worker died (``recovery``), retries a failing one with
exponential backoff, and leaves it ``FAILED`` after the last attempt, for
``python manage.py dead_tasks`` to list and requeue.
{%- else %}

Tasks are queued with :func:`outbox.enqueue` *inside* the caller's transaction: a row of the
project database (a transactional outbox), so a change and the work it causes commit (or roll
back) together, and the request never talks to the broker. ``python manage.py relay_outbox``
publishes committed rows to the broker, at least once; Celery workers run them with late
acknowledgement, retry a failing task with exponential backoff, and record a task that failed
for good as a dead row, for ``python manage.py dead_tasks`` to list and requeue.
{%- endif %}
"""
