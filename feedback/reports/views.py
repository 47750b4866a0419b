from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import insights_required


@insights_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/dashboard.html", {"nav": "reports"})
