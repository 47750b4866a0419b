from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

PORTAL_URL = "/portal/"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a signed-in person lands: agents in their workspace, customers in the portal."""
    if request.user.is_agent:
        return redirect("workspace:home")
    if request.user.is_product_manager:
        return redirect("feedback:item_list")
    return redirect(PORTAL_URL)
