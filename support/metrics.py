"""``/metrics``: the status readings (``support.status``) in Prometheus' text format.

Reachable with ``Authorization: Bearer $METRICS_TOKEN``, or from an address in
``METRICS_ALLOWED_IPS`` (default: this host only); anyone else gets 404, as if there were no
such page. docs/operations.md lists the metrics, a Grafana dashboard and alert rules.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from support import prom
from support.ratelimit import client_ip
from support.status import readings, version

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(network, strict=False)
        for network in settings.METRICS_ALLOWED_IPS
    )


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def exposition() -> str:
    lines: list[str] = []
    seen: set[str] = set()
    samples: dict[str, list[str]] = {}
    helps: dict[str, str] = {}
    for section in readings().values():
        for reading in section:
            if reading.value is None:
                continue
            helps.setdefault(reading.metric, reading.help)
            labels = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(reading.labels.items()))
            name = f"{reading.metric}{{{labels}}}" if labels else reading.metric
            samples.setdefault(reading.metric, []).append(f"{name} {reading.value:g}")
    samples["switchboard_info"] = [f'switchboard_info{{version="{_escape(version())}"}} 1']
    helps["switchboard_info"] = "The running version."
    for metric, rows in samples.items():
        if metric in seen:
            continue
        seen.add(metric)
        kind = "counter" if metric.endswith("_total") else "gauge"
        lines.append(f"# HELP {metric} {helps[metric]}")
        lines.append(f"# TYPE {metric} {kind}")
        lines.extend(rows)
    return "\n".join(lines) + "\n"


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        raise Http404("No such page.")
    return HttpResponse(exposition() + prom.exposition(), content_type=CONTENT_TYPE)
