"""The knowledge base's editor pages in the agent workspace (agents and admins edit), and the
article search the ticket composer uses."""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import agent_required
from kb import markdown, selectors, services
from kb.forms import ArticleForm
from kb.models import ArticleSend, ArticleStatus
from support.errors import DomainError, NotFound
from tickets.selectors import ticket_get_for_agent
from tickets.workspace.views import nav_context


def _article(request: HttpRequest, article_id: int):
    try:
        return selectors.article_get_for_editor(user=request.user, article_id=article_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _source_ticket(request: HttpRequest, raw: str | None):
    if not raw:
        return None
    try:
        return ticket_get_for_agent(agent=request.user, ticket_id=int(raw))
    except (ValueError, NotFound) as exc:
        raise Http404("No such ticket.") from exc


@agent_required
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()[:100]
    articles = list(selectors.articles_for_editor(status=status, query=query)[:200])
    context = {
        "articles": articles,
        "status": status,
        "q": query,
        "statuses": ArticleStatus.choices,
        **nav_context(request, current="kb"),
    }
    return render(request, "kb/agent/list.html", context)


@agent_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, article_id: int | None = None) -> HttpResponse:
    article = _article(request, article_id) if article_id else None
    initial = {}
    if article is not None:
        initial = {
            "title": article.title,
            "slug": article.slug,
            "section": article.section_id,
            "language": article.language,
            "summary": article.summary,
            "body": article.body,
            "tags": article.tags,
            "internal": article.internal,
        }
    source = None
    if article is None:
        # "Create article from this ticket": a draft quoting the agent's reply (GET), and the
        # ticket recorded as its source (POST). A ticket the agent can't see is "not found".
        source = _source_ticket(
            request, request.POST.get("from_ticket") or request.GET.get("from_ticket")
        )
        if source is not None:
            initial = {**selectors.draft_from_ticket(ticket=source), "from_ticket": source.pk}
        elif request.method == "GET" and request.GET.get("title"):
            initial = {"title": request.GET["title"][:200]}  # "Draft an article" from a gap
    form = ArticleForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k != "from_ticket"}
            try:
                saved = services.article_save(
                    by=request.user, article=article, source_ticket=source, **fields
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Article saved."))
                return redirect("kb_agent:edit", article_id=saved.pk)
        status = 400
    preview = markdown.render(form["body"].value() or "")
    context = {
        "form": form,
        "article": article,
        "source": source,
        "files": list(article.files.all()) if article else [],
        "used_in": selectors.tickets_using(article=article, agent=request.user) if article else [],
        "preview": preview,
        **nav_context(request, current="kb"),
    }
    return render(request, "kb/agent/edit.html", context, status=status)


@agent_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The live preview (htmx): the body as the help center will show it, sanitized."""
    html = markdown.render(request.POST.get("body", "")[:100_000])
    return render(request, "kb/agent/_preview.html", {"preview": html})


@agent_required
@require_POST
def article_status(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article(request, article_id)
    action = request.POST.get("action")
    actions = {
        "publish": (services.article_publish, _("Article published.")),
        "archive": (services.article_archive, _("Article archived.")),
        "unpublish": (services.article_unpublish, _("Article is a draft again.")),
    }
    if action not in actions:
        return HttpResponse(_("Unknown action."), status=400)
    service, done = actions[action]
    try:
        service(article=article, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("kb_agent:edit", article_id=article.pk)


@agent_required
@require_GET
def history(request: HttpRequest, article_id: int) -> HttpResponse:
    """Revisions, and a line diff between any two (``?a=&b=``; by default the last two)."""
    article = _article(request, article_id)
    revisions = list(article.revisions.select_related("by"))
    diff_lines: list[tuple[str, str]] = []
    a = b = None
    if len(revisions) >= 2:
        try:
            a_num = int(request.GET.get("a") or revisions[1].number)
            b_num = int(request.GET.get("b") or revisions[0].number)
        except ValueError:
            return HttpResponse(_("Revision numbers are whole numbers."), status=400)
        try:
            a = selectors.revision_get(article=article, number=a_num)
            b = selectors.revision_get(article=article, number=b_num)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        old = [f"# {a.title}", a.summary, "", *a.body.splitlines()]
        new = [f"# {b.title}", b.summary, "", *b.body.splitlines()]
        for line in difflib.unified_diff(old, new, f"r{a.number}", f"r{b.number}", lineterm=""):
            if line.startswith(("---", "+++")):
                continue
            kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
            diff_lines.append((kind, line))
    context = {
        "article": article,
        "revisions": revisions,
        "a": a,
        "b": b,
        "diff_lines": diff_lines,
        **nav_context(request, current="kb"),
    }
    return render(request, "kb/agent/history.html", context)


@agent_required
@require_POST
def restore(request: HttpRequest, article_id: int, number: int) -> HttpResponse:
    article = _article(request, article_id)
    try:
        revision = selectors.revision_get(article=article, number=number)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    try:
        services.article_restore(article=article, revision=revision, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Revision %(n)s restored.") % {"n": number})
    return redirect(reverse("kb_agent:history", kwargs={"article_id": article.pk}))


@agent_required
@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    """The composer's article search (htmx): published articles, internal ones marked so an
    agent does not send a customer a link they cannot open."""
    query = request.GET.get("kb_q", "").strip()[:200]
    found = selectors.search_for_reader(user=request.user, query=query, limit=8) if query else []
    return render(
        request,
        "kb/_lookup_results.html",
        {"articles": found, "q": query, "base": request.build_absolute_uri("/")[:-1]},
    )


@agent_required
@require_GET
def sent(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The articles sent on a ticket the agent can see (htmx, on the ticket page's panel)."""
    ticket = ticket_get_for_agent(agent=request.user, ticket_id=ticket_id)
    rows = (
        ArticleSend.objects.filter(ticket=ticket)
        .order_by("article_id")
        .values_list("article__title", "article__language", "article__slug")
        .distinct()
    )
    return render(request, "kb/_ticket_sent.html", {"sent": list(rows)})


@agent_required
@require_POST
def file_upload(request: HttpRequest, article_id: int) -> HttpResponse:
    """Add an image or attachment; the editor then shows the Markdown that links it."""
    article = _article(request, article_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to upload."))
    else:
        try:
            services.article_file_add(article=article, upload=upload, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("File added: copy its Markdown into the body."))
    return redirect(reverse("kb_agent:edit", kwargs={"article_id": article.pk}) + "#kb-files")


@agent_required
@require_POST
def file_delete(request: HttpRequest, article_id: int, file_id) -> HttpResponse:
    article = _article(request, article_id)
    stored = article.files.filter(pk=file_id).first()
    if stored is None:
        raise Http404("No such file.")
    services.article_file_delete(stored=stored, by=request.user)
    messages.success(request, _("File removed."))
    return redirect(reverse("kb_agent:edit", kwargs={"article_id": article.pk}) + "#kb-files")
