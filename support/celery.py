import os
from pathlib import Path

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.settings")

app = Celery("support")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.celeryd_init.connect
@signals.beat_init.connect
def make_local_folders(**kwargs) -> None:
    """Folders the worker and beat need before they start: the embedded (filesystem) broker's
    queue and control folders, and the one beat keeps its schedule file in."""
    from django.conf import settings

    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    folders = [options.get(key) for key in ("data_folder_in", "data_folder_out", "control_folder")]
    folders.append(str(Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent))
    for folder in filter(None, folders):
        os.makedirs(folder, exist_ok=True)
