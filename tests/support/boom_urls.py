"""The site's URLs plus one API endpoint with a bug, for the error-shape tests."""

from django.urls import include, path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from support.urls import handler500  # noqa: F401 - the site's 500 handler, as in production


@api_view(["GET"])
@permission_classes([AllowAny])
def boom(request):
    raise RuntimeError("a bug in the API")


urlpatterns = [path("api/v1/boom", boom), path("", include("support.urls"))]
