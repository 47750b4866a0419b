"""``manage.py ingest_email [PATH|-]``: store one RFC 5322 message (for an MTA pipe).

Exit codes follow sysexits so an MTA does the right thing: 0 stored (or already stored), 65 the
input is not a message we accept (bounced by the MTA), 75 a temporary failure (the MTA retries).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from support.errors import DomainError
from tickets.mail.inbound import inbound_store

EX_DATAERR = 65
EX_NOINPUT = 66
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Store one RFC 5322 message from a file or stdin and queue it for processing."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default="-", help="message file, or - for stdin")
        parser.add_argument("--mailbox", default="default", help="which address received it")

    def handle(self, *args, path: str, mailbox: str, **options):
        try:
            raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"Can't read {path}: {exc.strerror}", returncode=EX_NOINPUT) from exc
        try:
            row, created = inbound_store(raw=raw, mailbox=mailbox, source="pipe")
        except DomainError as exc:
            raise CommandError(f"Rejected: {exc.message}", returncode=EX_DATAERR) from exc
        except DatabaseError as exc:
            raise CommandError(f"Temporary failure: {exc}", returncode=EX_TEMPFAIL) from exc
        verb = "Stored" if created else "Already stored"
        self.stdout.write(f"{verb} inbound mail {row.pk} {row.message_id_header}")
