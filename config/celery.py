"""The Celery application. Workers: ``celery -A config worker``; beat: ``celery -A config beat``."""

import os
from typing import Any

from celery import Celery
from celery.signals import worker_ready
from django.db import transaction

from config.logging import celery_signals_connect

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("mockloop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Production readiness: workers write the same structured lines as the web, and a
# request's id travels with the tasks it enqueues (config/logging.py).
celery_signals_connect()


@worker_ready.connect
def metrics_serve(sender: object = None, **kwargs: object) -> None:
    """A worker serves its own metrics on METRICS_PORT, when that is set (config/metrics.py)."""
    from config.metrics import worker_metrics_serve

    worker_metrics_serve(pool=getattr(sender, "pool", None))


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """Sends ``task`` once the current transaction commits, robustly: a broker that is
    down then must not turn a request whose work is already stored into an error. Only
    for tasks that a beat sweep re-queues from the database (submissions, rubric grades,
    similarity checks, webhook deliveries); the failure is logged by Django.
    """

    def send() -> None:
        task.delay(*args)

    send.__qualname__ = f"send {getattr(task, 'name', task)}"
    transaction.on_commit(send, robust=True)
