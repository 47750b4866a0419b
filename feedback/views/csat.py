"""The customer's side of CSAT: one-click links from the mail, and the portal form.

A GET never records anything (mail scanners prefetch links): it shows the choice and a button;
only the POST records the rating.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from feedback.models import Rating
from feedback.selectors import csat_get_for_customer
from feedback.services import csat_survey_answer, csat_survey_from_link
from support.errors import DomainError, InvalidChange
from support.i18n import language_for


@require_http_methods(["GET", "POST"])
def csat_answer(request: HttpRequest, signed: str) -> HttpResponse:
    try:
        survey, rating = csat_survey_from_link(signed=signed)
    except InvalidChange as exc:
        return render(request, "feedback/csat_expired.html", {"message": exc.message}, status=410)
    # The page is in the customer's language (the link may be opened signed out, anywhere).
    translation.activate(language_for(survey.customer.locale))
    request.LANGUAGE_CODE = translation.get_language()
    saved = False
    if request.method == "POST":
        chosen = request.POST.get("rating") or rating
        comment = request.POST.get("comment")
        survey = csat_survey_answer(survey=survey, rating=chosen, comment=comment)
        saved = True
    return render(
        request,
        "feedback/csat_answer.html",
        {
            "survey": survey,
            "ticket": survey.ticket,
            "rating": survey.rating if saved else rating,
            "saved": saved,
            "Rating": Rating,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def csat_portal(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """A signed-in customer rates their own solved ticket (the portal can include this form)."""
    survey = csat_get_for_customer(user=request.user, ticket_id=ticket_id)
    saved = False
    error = ""
    if request.method == "POST":
        try:
            survey = csat_survey_answer(
                survey=survey,
                rating=request.POST.get("rating") or None,
                comment=request.POST.get("comment"),
                by=request.user.customer,
            )
            saved = True
        except DomainError as exc:
            error = exc.message
    template = "feedback/_csat_form.html" if request.htmx else "feedback/csat_portal.html"
    return render(
        request,
        template,
        {
            "survey": survey,
            "ticket": survey.ticket,
            "rating": survey.rating,
            "saved": saved,
            "error": error,
            "Rating": Rating,
        },
    )
