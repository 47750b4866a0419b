import logging
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation

from support.api.errors import api_server_error, error_body, is_api
from support.errors import DomainError

logger = logging.getLogger("django.request")


class ApiLanguageMiddleware:
    """The API answers in the default language whoever asks (after ``LocaleMiddleware`` and
    ``PersonLanguageMiddleware``): its labels (an SLA clock's ``label`` and ``text``, a macro's
    status names) and error sentences are a contract a client may compare, not a page to read
    (docs/api.md, *Language*)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api(request):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)


class DomainErrorMiddleware:
    """A domain error that reaches a page becomes its HTTP status with the sentence shown."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            if is_api(request) and isinstance(exception, Http404 | PermissionDenied):
                status = 404 if isinstance(exception, Http404) else 403
                message = "Not found." if status == 404 else "You may not do this."
                return JsonResponse(error_body(status, message), status=status)
            if is_api(request):
                # Every answer under /api/ is JSON in the API's error shape, a bug included.
                logger.error(
                    "Internal Server Error: %s",
                    request.path,
                    exc_info=exception,
                    extra={"status_code": 500, "request": request},
                )
                return api_server_error(request)
            return None
        if is_api(request):
            fields = {exception.field: [exception.message]} if exception.field else {}
            body = error_body(exception.status_code, exception.message, fields, exception.code)
            return JsonResponse(body, status=exception.status_code)
        template = "_error.html" if getattr(request, "htmx", False) else "error.html"
        status = exception.status_code
        context = {"message": exception.message, "title": HTTPStatus(status).phrase}
        return render(request, template, context, status=status)
