"""Load realistic demo data once: teams, agents, organizations, customers and 400 tickets.

Wiring only: each app keeps its demo data in its own ``demo`` module with ``seed(*, rng)``; this
command runs them in order, with events recorded but not published (nobody is mailed about old
demo tickets).
"""

from __future__ import annotations

import importlib
import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from tickets import demo, events

# Areas whose demo data lives with them, run after the base data in this order: the ones that add
# tickets first, then SLA (replays every ticket's clocks), then feedback (CSAT on solved tickets),
# and last the workspace (canned replies, search documents over everything).
AREA_SEEDERS = [
    "customers.demo",
    "products.demo",
    "portal.demo",
    "tickets.product_demo",
    "tickets.mail.demo",
    "integrations.demo",
    "tickets.automation.demo",
    "tickets.sla.demo",
    "feedback.demo",
    "tickets.assignment.demo",
    "tickets.macros.demo",
    "tickets.workspace.demo",
    "kb.demo",
]


class Command(BaseCommand):
    help = "Load demo data (once): demo logins admin@, agent@, customer@example.com, password demo."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=400)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, tickets: int, seed: int, **options):
        if settings.HTTPS:
            raise CommandError(
                "Refusing to load demo data (with password 'demo') on an HTTPS site."
            )
        if User.objects.filter(email="admin@example.com").exists():
            self.stdout.write("Demo data is already loaded; nothing to do.")
            return
        rng = random.Random(seed)
        with events.suppressed():
            demo.seed(rng=rng, tickets=tickets, faker_seed=seed)
            for module_name in AREA_SEEDERS:
                importlib.import_module(module_name).seed(rng=rng)
        self.stdout.write(self.style.SUCCESS(f"Loaded demo data: {tickets} tickets."))
