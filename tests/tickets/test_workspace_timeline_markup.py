"""The timeline's Jinja2 partial (``templates/jinja2/agent/_timeline.html``) renders what the
timeline's Django template loop rendered: the same elements, attributes, text and escaping."""

from datetime import timedelta

from django.template import Context, Template
from django.utils import timezone

from support import clock
from support.templatetags.jinja import render_partial
from tests import factories
from tests.markup import html_events, same_html
from tickets.mail.models import InboundEmail
from tickets.models import Attachment
from tickets.workspace.presentation import timeline
from tickets.workspace.ticket_views import _conversation

# The Django template loop the partial replaced, kept as the reference rendering.
LOOP = """{% load humanize %}{% for entry in timeline %}
  {% if entry.message %}{% with m=entry.message %}
  <li class="msg {% if m.is_note %}msg-note{% elif m.author_customer_id %}msg-customer{% else %}msg-agent{% endif %}" id="m{{ m.pk }}">
    <header>
      <strong>{% if m.author_user_id %}{{ m.author_user.display_name }}{% elif m.author_customer_id %}{{ m.author_customer.display_name }}{% else %}Switchboard{% endif %}</strong>
      {% if m.is_note %}<span class="tag-note">Internal note</span>{% endif %}
      <time class="muted" datetime="{{ m.created_at|date:'c' }}" title="{{ m.created_at|date:'Y-m-d H:i T' }}">{{ m.created_at|naturaltime }}</time>
      <span class="muted">via {{ m.get_channel_display }}</span>
      {% if m.is_public and not m.needs_review %}<a class="msg-forward" href="{% url 'workspace:message_forward' m.ticket_id m.pk %}">Forward</a>{% endif %}
      {% for mail in m.listed_inbound_emails %}<a class="muted" href="{% url 'mail:inbound_original' mail.pk %}">view original mail</a>{% endfor %}
      {% if m.needs_review %}<span class="mail-needs-review" id="review-{{ m.pk }}">From someone outside this ticket ·
        <form class="inline" method="post" action="{% url 'mail:reviewed' m.pk %}" hx-post="{% url 'mail:reviewed' m.pk %}" hx-target="#review-{{ m.pk }}" hx-swap="innerHTML">{% csrf_token %}<button class="link" type="submit">Mark reviewed</button></form></span>{% endif %}
    </header>
    <div class="msg-body">{% if m.body_html %}{{ m.body_html|safe }}{% else %}{{ m.body_text|linebreaksbr }}{% endif %}</div>
    {% if m.listed_attachments %}
    <ul class="attachments">
      {% for a in m.listed_attachments %}
      <li>{% if a.is_image %}<a href="{% url 'workspace:attachment' attachment_id=a.pk %}"><img src="{% url 'workspace:attachment' attachment_id=a.pk %}" alt="{{ a.name }}" loading="lazy"></a>{% endif %}
        <a href="{% url 'workspace:attachment' attachment_id=a.pk %}?download=1" download>{{ a.name }}</a> <span class="muted">{{ a.size|filesizeformat }}</span></li>
      {% endfor %}
    </ul>
    {% endif %}
  </li>
  {% endwith %}{% else %}
  <li class="event"><span>{{ entry.sentence }}</span> <time class="muted" datetime="{{ entry.at|date:'c' }}" title="{{ entry.at|date:'Y-m-d H:i T' }}">{{ entry.at|naturaltime }}</time></li>
  {% endif %}
{% endfor %}"""  # noqa: E501


def test_timeline_items_match_the_template_loop(agent, ticket):
    now = clock.now()
    customer = ticket.requester
    customer.name = 'Ann "<b>" O\'Neil & co'
    customer.save()
    html_reply = factories.MessageFactory(
        ticket=ticket,
        author_customer=customer,
        body_text="",
        body_html="<p>Hello <strong>there</strong></p>",
        needs_review=True,
        created_at=now - timedelta(days=3),
    )
    factories.MessageFactory(
        ticket=ticket,
        author_user=agent,
        body_text="Line one\nLine <two> & three",
        created_at=now - timedelta(hours=5),
    )
    factories.NoteFactory(ticket=ticket, author_user=agent, created_at=now - timedelta(minutes=3))
    factories.MessageFactory(ticket=ticket, body_text="system", created_at=now)
    for name, kind, size in (("shot <1>.png", "image/png", 2048), ("log.txt", "text/plain", 5)):
        Attachment.objects.create(
            ticket=ticket, message=html_reply, file="x", name=name, size=size, content_type=kind
        )
    InboundEmail.objects.create(
        message_id_header="<a@b>", raw=b"x", ticket=ticket, message=html_reply
    )
    from tickets import services

    services.ticket_update(ticket=ticket, by=agent, changes={"priority": "high"})
    conversation = _conversation(agent, ticket)
    events = list(ticket.events.select_related("actor", "actor_customer").order_by("at", "id"))
    entries = timeline(conversation, events)
    assert any(e.event for e in entries) and sum(bool(e.message) for e in entries) >= 5
    for zone in ("UTC", "Europe/Berlin"):
        with timezone.override(zone):
            for token in ("tok3n", None):
                context = Context({"timeline": entries, "csrf_token": token})
                old = '<ol class="timeline">' + Template(LOOP).render(context) + "</ol>"
                new = render_partial(
                    "agent/_timeline.html", {"timeline": entries, "csrf_token": token}
                )
                assert same_html(new, old), (html_events(new), html_events(old))
                # From a Django page, with the page's token.
                page = Template(
                    '{% load jinja %}{% jinja "agent/_timeline.html" timeline=timeline %}'
                )
                assert str(page.render(context)) == str(new)
