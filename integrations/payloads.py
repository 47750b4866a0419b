"""Webhook payloads of feedback and knowledge-base events (ticket events' payloads are in
``integrations.services``).

A payload describes the change as it happened (from the event) and the object as it is now.
"""

from __future__ import annotations

from feedback.models import CsatSurvey, FeedbackItem
from feedback.selectors import with_demand
from feedback.serializers import CsatResponseSerializer, FeedbackItemSerializer
from kb.models import Article
from kb.serializers import ArticleSerializer
from tickets.serializers import TicketSerializer


def feedback_item_payload(event: dict) -> dict | None:
    item = with_demand(FeedbackItem.objects.filter(pk=event["item_id"])).first()
    if item is None:  # deleted meanwhile: nothing left to tell
        return None
    return {
        "item": FeedbackItemSerializer(item).data,
        "change": {"field": "status", "old": event["old"], "new": event["new"], "at": event["at"]},
        "actor": {"type": "user", "id": event.get("by_id")},
    }


def csat_payload(event: dict) -> dict | None:
    survey = CsatSurvey.objects.select_related("ticket").filter(pk=event["survey_id"]).first()
    if survey is None:
        return None
    csat = dict(CsatResponseSerializer(survey).data)
    # The answer as it was given (a later change is its own event).
    csat.update(
        rating=event["rating"],
        comment=event["comment"],
        answered_at=event["answered_at"],
        updated_at=event["updated_at"],
    )
    return {
        "csat": csat,
        "first_answer": event["first"],
        "ticket": TicketSerializer(survey.ticket).data,
        "actor": {"type": "customer", "id": event["customer_id"]},
    }


def article_payload(event: dict) -> dict | None:
    """The article as it is now (the API's representation), and who changed it."""
    article = Article.objects.select_related("section").filter(pk=event["article_id"]).first()
    if article is None or not article.is_public:  # deleted, unpublished or made internal since
        return None
    return {
        "article": ArticleSerializer(article).data,
        "actor": {"type": "user", "id": event.get("by_id")},
    }
