"""Signals of the accounts app, for apps above it (accounts imports none of them).

``availability_changed``: an agent set a new availability (sent with ``user``, ``old`` and
``new``), inside the transaction that saved it. Auto-assignment (tickets.assignment) hands
waiting tickets to an agent who comes online.
"""

from django.dispatch import Signal

availability_changed = Signal()
