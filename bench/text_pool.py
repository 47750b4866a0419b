"""Words and sentences for the scale data set, made once by Faker and reused for every row."""

from __future__ import annotations

import random

from bench.pgcopy import escape


class TextPool:
    """Pre-generated, pre-escaped words and sentences: Faker per row would be far too slow."""

    def __init__(self, rng: random.Random):
        from faker import Faker

        fake = Faker(["en_US"])
        fake.seed_instance(rng.randrange(1 << 30))
        self.first = [fake.first_name() for _ in range(600)]
        self.last = [fake.last_name() for _ in range(900)]
        self.companies = [fake.company() for _ in range(3000)]
        products = [
            "the dashboard",
            "the mobile app",
            "SSO",
            "the API",
            "invoices",
            "exports",
            "the iOS app",
            "notifications",
            "webhooks",
            "search",
            "reports",
            "billing",
            "user roles",
            "the Slack integration",
            "two-factor login",
            "data import",
        ]
        problems = [
            "is not working",
            "keeps timing out",
            "shows the wrong totals",
            "stopped syncing",
            "returns an error",
            "is very slow",
            "looks broken",
            "won't load",
            "sends duplicates",
            "lost my settings",
        ]
        asks = [
            "How do I set up",
            "Question about",
            "Can we get access to",
            "Help with",
            "Feature request:",
            "Unable to use",
            "Billing question about",
            "Urgent:",
        ]
        subjects = [f"{p[0].upper()}{p[1:]} {q}" for p in products for q in problems]
        subjects += [f"{a} {p}" for a in asks for p in products]
        subjects += [fake.sentence(nb_words=7).rstrip(".") for _ in range(1500)]
        self.subjects = [escape(s[:250]) for s in subjects]
        sentences = [fake.sentence(nb_words=rng.randint(6, 18)) for _ in range(4000)]
        self.paragraphs = [
            escape(" ".join(rng.sample(sentences, rng.randint(1, 5)))) for _ in range(6000)
        ]
        self.greetings = ["Hi,", "Hello team,", "Hi there,", "Good morning,", "Dear support,"]
        self.closings = ["Thanks!", "Thank you,", "Best regards,", "Cheers,", "Kind regards,"]

    def body(self, rng: random.Random) -> str:
        r = rng.random()
        if r < 0.45:
            n = 1
        elif r < 0.8:
            n = 2
        elif r < 0.95:
            n = rng.randint(3, 5)
        else:
            n = rng.randint(8, 25)  # the long ones: logs, forwarded threads
        parts = [rng.choice(self.greetings), *rng.choices(self.paragraphs, k=n)]
        parts.append(rng.choice(self.closings))
        return r"\n\n".join(parts)
