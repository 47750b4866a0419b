"""Run the whole system in the foreground: gunicorn (web) and a Celery worker with beat.

Ctrl-C (or SIGTERM) stops every process; if one of them dies, the others are stopped too and the
command exits non-zero, so a broken stack never looks alive.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

DEMO_LOGINS = ("admin@example.com", "agent@example.com", "customer@example.com")


class Command(BaseCommand):
    help = "Start web (gunicorn) + Celery worker + beat together; Ctrl-C stops all."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--web-workers", type=int, default=2)

    def handle(self, *args, host: str, port: int, web_workers: int, **options):
        bin_dir = os.path.dirname(sys.executable)
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
            if folder:  # the embedded broker: web may queue before the worker has started
                os.makedirs(folder, exist_ok=True)
        commands = {
            "web": [
                os.path.join(bin_dir, "gunicorn"),
                "support.wsgi:application",
                "--config",
                "python:support.gunicorn_conf",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(web_workers),
                "--threads",
                "4",
                "--access-logfile",
                "-",
            ],
            "worker": [
                os.path.join(bin_dir, "celery"),
                "-A",
                "support",
                "worker",
                "--beat",
                "--schedule",
                settings.CELERY_BEAT_SCHEDULE_FILENAME,
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
            ],
        }
        env = dict(os.environ)
        # One empty Prometheus samples directory for web and worker together, emptied here
        # once, not by gunicorn while the worker is already writing to it.
        from support.prom import reset_directory

        reset_directory()
        env["PROMETHEUS_RESET_ON_START"] = "0"
        url = f"http://{host}:{port}/"
        if not env.get("SITE_URL"):
            # Links in mail (sign-in, replies, surveys) point at the address served here.
            shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
            env["SITE_URL"] = f"http://{shown}:{port}"
        processes = {
            name: subprocess.Popen(cmd, env=env)  # noqa: S603
            for name, cmd in commands.items()
        }
        self.stdout.write(self.style.SUCCESS(f"\nSwitchboard is starting at {url}"))
        self.stdout.write(f"Agent workspace: {url}  ·  Customer portal: {url}portal/")
        self.stdout.write(f"Demo logins (password 'demo'): {', '.join(DEMO_LOGINS)}")
        self.stdout.write("Press Ctrl-C to stop.\n")

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        try:
            while not stopping:
                for name, proc in processes.items():
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} exited with code {proc.returncode}; stopping.")
                        exit_code = proc.returncode or 1
                        stopping = True
                time.sleep(0.5)
        finally:
            for proc in processes.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 20
            for proc in processes.values():
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
        if exit_code:
            sys.exit(exit_code)
