import random

import pytest

from tickets.mail import demo
from tickets.mail.models import InboundEmail, InboundStatus

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent():
    demo.seed(rng=random.Random(1))
    demo.seed(rng=random.Random(1))
    rows = InboundEmail.objects.filter(mailbox="demo")
    assert rows.count() == 4
    assert rows.filter(status=InboundStatus.FAILED).count() == 1
    assert rows.filter(status=InboundStatus.PROCESSED, ticket__isnull=False).count() == 3
