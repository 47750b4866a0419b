from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a signed-in person lands; the workspace and portal replace it as they arrive."""
    return render(request, "home.html")
