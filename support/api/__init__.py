"""Shared DRF glue for ``/api/v1/``, one module per concern; import a name from its module.

- ``errors``: the error shape and the exception handler (``PreconditionFailed``, ``Conflict``, ...)
- ``views``: ``ApiViewMixin``, which every endpoint's view class starts with
- ``permissions``: ``ApiPermission`` (the default), ``AgentsOnly``
- ``throttling``: ``ApiRateThrottle``, per token, user or client address
- ``idempotency``: ``Idempotency-Key`` on POST (stored by ``accounts.idempotency``)
- ``pagination``: ``StableCursorPagination``
- ``filters``: the strict filter backend and the filters resources declare
- ``serializers``: strict inputs, ``?expand=``, ids, helpers for output serializers
- ``schema``: id formats, shared OpenAPI parameters, the error component, optional fields
- ``renderers``: ``BinaryRenderer`` for downloads

The resources themselves live in their apps (``tickets/api.py``, ``customers/api.py``, ...).
"""
