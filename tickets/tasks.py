from __future__ import annotations

# SLA tasks live in their sub-package; imported so the worker registers them.
from tickets.sla.tasks import sweep_sla  # noqa: E402, F401
