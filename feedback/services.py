"""Every write of the feedback app: CSAT surveys, feedback items and their ticket links.

Mail goes through ``tickets.mail.outbound.email_queue`` with a ``dedupe_key``, so a handler or
sweep that runs twice queues one mail.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.branding import brand
from accounts.models import User
from customers.models import Customer
from products.models import Component, Product
from products.services import check_product_choice, component_for_area
from support import clock
from support.errors import InvalidChange, NotFound, NotPermitted, ValidationFailed
from support.i18n import language_for
from tickets.events import record_event
from tickets.mail.outbound import email_queue
from tickets.models import EventKind, Status, Ticket, ticket_keys_of
from tickets.selectors import ticket_get_for_agent

from . import events
from .models import (
    NOTIFIABLE_STATUSES,
    CsatSurvey,
    FeedbackItem,
    Importance,
    ItemKind,
    ItemStatus,
    Rating,
    TicketFeedbackLink,
)

CSAT_SALT = "feedback.csat"
SPAM_TAG = "spam"


# --- helpers --------------------------------------------------------------------------------


def _excerpt(text: str, limit: int = 255) -> str:
    """An event holds up to 255 characters of a value; longer comments end in an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _require_agent(by: User) -> None:
    if not by.is_active or not by.is_agent:
        raise NotPermitted(_("Only agents can do this."))


def _require_insights(by: User) -> None:
    if not by.is_active or not (by.is_agent or by.is_product_manager):
        raise NotPermitted(_("Only agents and product managers can do this."))


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# --- CSAT -----------------------------------------------------------------------------------


def csat_excluded(ticket: Ticket) -> bool:
    """Tickets solved by merging or as spam never get a survey."""
    return ticket.merged_into_id is not None or ticket.tags.filter(name=SPAM_TAG).exists()


@transaction.atomic
def csat_survey_schedule(*, ticket: Ticket) -> CsatSurvey | None:
    """A ticket was solved: make its survey due after ``CSAT_DELAY_MINUTES``.

    Once per ticket: a survey already sent is left alone; one not sent yet (the ticket was
    reopened and solved again) is pushed back so the customer is asked after the final solve.
    """
    if ticket.status not in (Status.SOLVED, Status.CLOSED) or csat_excluded(ticket):
        return None
    due_at = clock.now() + timedelta(minutes=settings.CSAT_DELAY_MINUTES)
    survey = CsatSurvey.objects.select_for_update().filter(ticket=ticket).first()
    if survey is None:
        return CsatSurvey.objects.create(
            ticket=ticket,
            customer_id=ticket.requester_id,
            token=secrets.token_urlsafe(24),
            due_at=due_at,
            **ticket_keys_of(ticket),
        )
    if survey.sent_at is None:
        survey.due_at = due_at
        survey.save(update_fields=["due_at"])
    return survey


def csat_link(survey: CsatSurvey, rating: str) -> str:
    """A signed one-click link; the signature's timestamp makes it expire."""
    value = signing.dumps({"t": survey.token, "r": rating}, salt=CSAT_SALT, compress=True)
    return _absolute(reverse("feedback:csat_answer", args=[value]))


def csat_survey_from_link(*, signed: str) -> tuple[CsatSurvey, str]:
    """Read a signed link. Raises ``NotFound`` for a forged one, ``InvalidChange`` if expired."""
    max_age = timedelta(days=settings.CSAT_LINK_MAX_AGE_DAYS)
    try:
        data = signing.loads(signed, salt=CSAT_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise InvalidChange(
            _("This rating link has expired. You can still rate the ticket from the portal.")
        ) from exc
    except signing.BadSignature as exc:
        raise NotFound(_("This rating link is not valid.")) from exc
    survey = (
        CsatSurvey.objects.select_related("ticket", "customer").filter(token=data.get("t")).first()
    )
    if survey is None or data.get("r") not in Rating.values:
        raise NotFound(_("This rating link is not valid."))
    return survey, data["r"]


@transaction.atomic
def csat_survey_send(*, survey: CsatSurvey, mail: bool = True) -> CsatSurvey:
    """Queue the survey mail (once) and stamp ``sent_at``.

    ``mail=False`` only stamps it: for importing history (demo data), where nobody is to be mailed.
    """
    survey = (
        CsatSurvey.objects.select_for_update()
        .select_related("ticket", "customer")
        .get(pk=survey.pk)
    )
    if survey.sent_at is not None:
        return survey
    if not mail:
        survey.sent_at = clock.now()
        survey.save(update_fields=["sent_at"])
        return survey
    ticket = survey.ticket
    context = {
        "survey": survey,
        "ticket": ticket,
        "customer": survey.customer,
        "good_url": csat_link(survey, Rating.GOOD),
        "bad_url": csat_link(survey, Rating.BAD),
        "max_age_days": settings.CSAT_LINK_MAX_AGE_DAYS,
        "SITE_NAME": brand().site_name,
    }
    with translation.override(language_for(survey.customer.locale)):
        subject = _("[%(ref)s] How did we do?") % {"ref": ticket.reference}
        body_text = render_to_string("feedback/mail/csat_survey.txt", context)
        body_html = render_to_string("feedback/mail/csat_survey.html", context)
    email_queue(
        kind="csat_survey",
        to=[survey.customer.email],
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        ticket=ticket,
        dedupe_key=f"csat:{survey.pk}",
        headers={"Auto-Submitted": "auto-generated"},
    )
    survey.sent_at = clock.now()
    survey.save(update_fields=["sent_at"])
    return survey


def csat_surveys_due() -> list[int]:
    """Ids of surveys whose mail is due: unsent, due, ticket still solved, not spam or merged."""
    return list(
        CsatSurvey.objects.filter(
            sent_at__isnull=True,
            due_at__lte=clock.now(),
            ticket__status__in=[Status.SOLVED, Status.CLOSED],
            ticket__merged_into__isnull=True,
        )
        .exclude(ticket__tags__name=SPAM_TAG)
        .order_by("due_at")
        .values_list("pk", flat=True)[:500]
    )


def csat_send_due() -> int:
    """Beat: send every due survey. Safe to run concurrently and repeatedly."""
    count = 0
    for survey_id in csat_surveys_due():
        survey = CsatSurvey.objects.filter(pk=survey_id).first()
        if survey is not None:
            csat_survey_send(survey=survey)
            count += 1
    return count


@transaction.atomic
def csat_survey_answer(
    *,
    survey: CsatSurvey,
    rating: str | None = None,
    comment: str | None = None,
    by: Customer | None = None,
    notify: bool = True,
) -> CsatSurvey:
    """Record (or change) the rating and/or comment. ``by`` is the signed-in customer, if any;
    a signed link stands for the survey's customer. The answer is announced as
    ``csat.received`` (webhooks; a bad rating mails the team lead: ``feedback.handlers``);
    ``notify=False`` (importing history) announces nothing."""
    survey = CsatSurvey.objects.select_for_update().select_related("ticket").get(pk=survey.pk)
    if by is not None and by.pk != survey.customer_id:
        raise NotPermitted(_("Only the customer who was asked can rate this ticket."))
    if rating is None and not survey.rating:
        raise ValidationFailed(_("Choose good or bad first."), field="rating")
    if rating is not None and rating not in Rating.values:
        raise ValidationFailed(_("The rating is good or bad."), field="rating")
    now = clock.now()
    fields = ["updated_at"]
    old_rating, old_comment = survey.rating, survey.comment
    if rating is not None and rating != survey.rating:
        survey.rating = rating
        fields.append("rating")
    if survey.answered_at is None:
        survey.answered_at = now
        fields.append("answered_at")
    if comment is not None:
        survey.comment = comment.strip()[:5000]
        fields.append("comment")
    survey.updated_at = now
    survey.save(update_fields=fields)
    # The ticket's history (agents' timeline; customers never see ticket events).
    customer = by or survey.customer
    if survey.rating != old_rating:
        record_event(
            survey.ticket,
            kind=EventKind.CSAT_RATED,
            by=customer,
            field="rating",
            old=old_rating,
            new=survey.rating,
        )
    if survey.comment != old_comment:
        record_event(
            survey.ticket,
            kind=EventKind.CSAT_COMMENTED,
            by=customer,
            field="comment",
            old=_excerpt(old_comment),
            new=_excerpt(survey.comment),
        )
    if notify:  # not when importing history
        events.publish(
            events.CSAT_RECEIVED,
            key=f"{survey.pk}:{now.isoformat()}",
            survey_id=survey.pk,
            ticket_id=survey.ticket_id,
            customer_id=survey.customer_id,
            rating=survey.rating,
            comment=survey.comment,
            first="answered_at" in fields,
            answered_at=survey.answered_at.isoformat(),
            updated_at=now.isoformat(),
        )
    return survey


# --- Feedback items -------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise ValidationFailed(_("An item needs a title."), field="title")
    if len(title) > 200:
        raise ValidationFailed(_("The title can be at most 200 characters."), field="title")
    return title


def _check_owner(owner: User | None) -> None:
    if owner is not None and not (owner.is_product_manager or owner.is_admin):
        raise ValidationFailed(_("The owner must be a product manager."), field="owner")


def _place(
    product: Product | None, component: Component | None, area: str
) -> tuple[Product | None, Component | None]:
    """The item's product and component: a component names its product; a free-text area
    becomes a component (``products.services.component_for_area``); a component of another
    product than the one named is refused."""
    area = " ".join(area.split())
    if component is None and area:
        component = component_for_area(name=area, product=product)
    if component is not None and product is None:
        product = component.product
    check_product_choice(product=product, version=None, component=component)
    return product, component


@transaction.atomic
def feedback_item_create(
    *,
    title: str,
    by: User,
    description: str = "",
    kind: str = ItemKind.FEATURE_REQUEST,
    area: str = "",
    owner: User | None = None,
    product: Product | None = None,
    component: Component | None = None,
) -> FeedbackItem:
    """``area``: a component by name (made if new), for callers that have only text."""
    _require_insights(by)
    if kind not in ItemKind.values:
        raise ValidationFailed(
            _("%(kind)s is not a kind of feedback.") % {"kind": repr(kind)}, field="kind"
        )
    _check_owner(owner)
    product, component = _place(product, component, area)
    now = clock.now()
    return FeedbackItem.objects.create(
        title=_clean_title(title),
        description=description.strip(),
        kind=kind,
        product=product,
        component=component,
        area=component.name[:64] if component else "",
        owner=owner,
        created_by=by,
        created_at=now,
        updated_at=now,
    )


@transaction.atomic
def feedback_item_update(
    *,
    item: FeedbackItem,
    by: User,
    title: str | None = None,
    description: str | None = None,
    kind: str | None = None,
    area: str | None = None,
    owner: User | None | object = ...,
    product: Product | None | object = ...,
    component: Component | None | object = ...,
) -> FeedbackItem:
    """Change what is given; ``area`` (a component by name) or ``component`` moves the item to
    that component, ``product`` alone keeps a component only if it is the product's."""
    _require_insights(by)
    fields = ["updated_at"]
    if title is not None:
        item.title = _clean_title(title)
        fields.append("title")
    if description is not None:
        item.description = description.strip()
        fields.append("description")
    if kind is not None:
        if kind not in ItemKind.values:
            raise ValidationFailed(
                _("%(kind)s is not a kind of feedback.") % {"kind": repr(kind)}, field="kind"
            )
        item.kind = kind
        fields.append("kind")
    if area is not None or product is not ... or component is not ...:
        new_product = item.product if product is ... else product
        new_component = item.component if component is ... else component
        if area is not None and component is ...:
            new_component = None
        elif component is ... and product is not ... and new_component is not None:
            if new_product is None or new_component.product_id != new_product.pk:
                new_component = None
        item.product, item.component = _place(new_product, new_component, area or "")  # type: ignore[arg-type]
        item.area = item.component.name[:64] if item.component else ""
        fields += ["product", "component", "area"]
    if owner is not ...:
        _check_owner(owner)  # type: ignore[arg-type]
        item.owner = owner  # type: ignore[assignment]
        fields.append("owner")
    item.updated_at = clock.now()
    item.save(update_fields=fields)
    return item


@transaction.atomic
def feedback_item_change_status(
    *, item: FeedbackItem, status: str, by: User, public_note: str | None = None
) -> FeedbackItem:
    """Product managers (and admins) move an item through its statuses."""
    if not by.is_active or not (by.is_product_manager or by.is_admin):
        raise NotPermitted(_("Only product managers can change an item's status."))
    if status not in ItemStatus.values:
        raise ValidationFailed(
            _("%(status)s is not an item status.") % {"status": repr(status)}, field="status"
        )
    if item.merged_into_id:
        raise InvalidChange(_("This item was merged into another; change that one instead."))
    now = clock.now()
    fields = ["updated_at"]
    if status != item.status:
        events.publish(
            events.ITEM_STATUS_CHANGED,
            key=f"{item.pk}:{now.isoformat()}",
            item_id=item.pk,
            old=item.status,
            new=status,
            at=now.isoformat(),
            by_id=by.pk,
        )
        item.status = status
        item.status_changed_at = now
        fields += ["status", "status_changed_at"]
    if public_note is not None:
        item.public_note = public_note.strip()
        fields.append("public_note")
    item.updated_at = now
    item.save(update_fields=fields)
    return item


@transaction.atomic
def feedback_item_merge(*, source: FeedbackItem, target: FeedbackItem, by: User) -> FeedbackItem:
    """Mark ``source`` a duplicate of ``target`` and move its evidence over."""
    _require_insights(by)
    if source.pk == target.pk:
        raise InvalidChange(_("An item can't be merged into itself."))
    if target.merged_into_id:
        raise InvalidChange(_("That item was itself merged; merge into the item it points to."))
    already = set(target.links.values_list("ticket_id", flat=True))
    source.links.exclude(ticket_id__in=already).update(item=target)
    source.links.all().delete()  # the rest duplicate links the target already has
    source.merged_into = target
    source.updated_at = clock.now()
    source.save(update_fields=["merged_into", "updated_at"])
    FeedbackItem.objects.filter(merged_into=source).update(merged_into=target)
    return target


def _item_status_mail(context: dict) -> tuple[str, str]:
    """``(subject, text)`` in the customer's language (their ``locale``, else the default); the
    product manager's message and public note stay as written."""
    with translation.override(language_for(context["customer"].locale)):
        subject = translation.gettext("Update on your request: %(title)s") % {
            "title": context["item"].title
        }
        return subject, render_to_string("feedback/mail/item_status.txt", context)


def feedback_item_notify_customers(*, item: FeedbackItem, message: str, by: User) -> int:
    """Tell every customer behind the item's tickets about its shipped/declined status, once each.

    Returns how many mails were queued (customers already told of this status are skipped).
    """
    if not by.is_active or not (by.is_product_manager or by.is_admin):
        raise NotPermitted(_("Only product managers can notify customers."))
    if item.status not in NOTIFIABLE_STATUSES:
        raise InvalidChange(_("Customers are notified when an item is shipped or declined."))
    message = message.strip()
    if not message:
        raise ValidationFailed(_("Write the message the customers will read."), field="message")
    customers = Customer.objects.filter(
        pk__in=item.links.values("customer_id"), merged_into__isnull=True
    ).order_by("pk")
    queued = 0
    with transaction.atomic():
        for customer in customers:
            context = {
                "item": item,
                "customer": customer,
                "message": message,
                "SITE_NAME": brand().site_name,
            }
            subject, text = _item_status_mail(context)
            email = email_queue(
                kind="feedback_status",
                to=[customer.email],
                subject=subject,
                body_text=text,
                dedupe_key=f"feedback:{item.pk}:{item.status}:{customer.pk}",
                headers={"Auto-Submitted": "auto-generated"},
            )
            queued += email is not None
        item.notified_status = item.status
        item.notified_at = clock.now()
        item.save(update_fields=["notified_status", "notified_at"])
    return queued


# --- Links ----------------------------------------------------------------------------------


@transaction.atomic
def feedback_link_create(
    *,
    ticket: Ticket,
    item: FeedbackItem,
    by: User,
    customer: Customer | None = None,
    importance: str = "",
    quote: str = "",
) -> TicketFeedbackLink:
    """Link a ticket to an item as evidence; the customer defaults to the ticket's requester."""
    _require_agent(by)
    ticket_get_for_agent(agent=by, ticket_id=ticket.pk)  # NotFound if out of reach
    if item.merged_into_id:
        item = item.merged_into  # link to the surviving item
    if importance and importance not in Importance.values:
        raise ValidationFailed(
            _("%(importance)s is not an importance.") % {"importance": repr(importance)},
            field="importance",
        )
    customer = customer or ticket.requester
    if TicketFeedbackLink.objects.filter(ticket=ticket, item=item).exists():
        raise InvalidChange(_("This ticket is already linked to that item."))
    return TicketFeedbackLink.objects.create(
        ticket=ticket,
        item=item,
        customer=customer,
        organization_id=customer.organization_id,
        importance=importance,
        quote=quote.strip()[:5000],
        created_by=by,
        created_at=clock.now(),
    )


@transaction.atomic
def feedback_link_update(
    *, link: TicketFeedbackLink, by: User, importance: str | None = None, quote: str | None = None
) -> TicketFeedbackLink:
    _require_agent(by)
    ticket_get_for_agent(agent=by, ticket_id=link.ticket_id)
    fields = []
    if importance is not None:
        if importance and importance not in Importance.values:
            raise ValidationFailed(
                _("%(importance)s is not an importance.") % {"importance": repr(importance)},
                field="importance",
            )
        link.importance = importance
        fields.append("importance")
    if quote is not None:
        link.quote = quote.strip()[:5000]
        fields.append("quote")
    if fields:
        link.save(update_fields=fields)
    return link


@transaction.atomic
def feedback_link_delete(*, link: TicketFeedbackLink, by: User) -> None:
    _require_agent(by)
    ticket_get_for_agent(agent=by, ticket_id=link.ticket_id)
    link.delete()


@transaction.atomic
def feedback_item_create_from_ticket(
    *,
    ticket: Ticket,
    title: str,
    by: User,
    kind: str = ItemKind.FEATURE_REQUEST,
    area: str = "",
    quote: str = "",
    importance: str = "",
) -> TicketFeedbackLink:
    """An agent files a new item from a ticket, quoting the customer, and links the two."""
    _require_agent(by)
    ticket_get_for_agent(agent=by, ticket_id=ticket.pk)
    item = feedback_item_create(title=title, by=by, kind=kind, area=area, description=quote)
    return feedback_link_create(ticket=ticket, item=item, by=by, importance=importance, quote=quote)


def item_search_filter(query: str) -> Q:
    q = Q()
    for word in query.split()[:6]:
        q &= Q(title__icontains=word) | Q(area__icontains=word)
    return q
