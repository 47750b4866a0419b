from http import HTTPStatus

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from support.errors import DomainError


class DomainErrorMiddleware:
    """A domain error that reaches a page becomes its HTTP status with the sentence shown."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        template = "_error.html" if getattr(request, "htmx", False) else "error.html"
        status = exception.status_code
        context = {"message": exception.message, "title": HTTPStatus(status).phrase}
        return render(request, template, context, status=status)
