import os
from pathlib import Path

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.settings")

app = Celery("support")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.celeryd_init.connect
@signals.beat_init.connect
@signals.before_task_publish.connect
def make_local_folders(**kwargs) -> None:
    """Folders the embedded (filesystem) broker and beat need: its queue and control folders
    (for the worker, and for any process that queues a task first) and beat's schedule folder."""
    from django.conf import settings

    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    folders = [options.get(key) for key in ("data_folder_in", "data_folder_out", "control_folder")]
    folders.append(str(Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent))
    for folder in filter(None, folders):
        os.makedirs(folder, exist_ok=True)


@signals.before_task_publish.connect
def _request_id_to_task(headers=None, **kwargs) -> None:
    from support.logs import task_publishing

    task_publishing(headers=headers)


@signals.task_prerun.connect
def _request_id_in_task(task=None, task_id=None, **kwargs) -> None:
    from support.logs import task_starting

    task_starting(task=task, task_id=task_id)


@signals.task_prerun.connect
def _task_started(sender=None, **kwargs) -> None:
    from support.prom import task_state

    task_state(getattr(sender, "name", "unknown"), "started")


@signals.task_success.connect
def _task_succeeded(sender=None, **kwargs) -> None:
    from support.prom import task_state

    task_state(getattr(sender, "name", "unknown"), "succeeded")


@signals.task_failure.connect
def _task_failed(sender=None, **kwargs) -> None:
    from support.prom import task_state

    task_state(getattr(sender, "name", "unknown"), "failed")


@signals.task_retry.connect
def _task_retried(sender=None, **kwargs) -> None:
    from support.prom import task_state

    task_state(getattr(sender, "name", "unknown"), "retried")


@signals.task_postrun.connect
def _task_done(task=None, task_id=None, **kwargs) -> None:
    from support.logs import task_finished

    task_finished(task=task, task_id=task_id)
