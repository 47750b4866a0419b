"""The knowledge report: is the help center answering, and what is it missing?

Numbers for a period (days in the workspace's time zone, ``clock.now()`` based; the last N days
or a date range), optionally for one language and one category (:class:`ReportFilter`): views,
helpful votes, deflection (a request form session where an article was opened and nothing
submitted), articles sent by agents, and the content gaps as a worklist — frequent help-center
searches that found nothing or whose results nobody opened, and the tags and subjects of tickets
solved without any article sent. Every query is bounded (aggregates, ``LIMIT``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Lower, Trim
from django.utils import timezone

from kb.models import (
    Article,
    ArticleSend,
    ArticleView,
    ArticleVote,
    Category,
    DeflectionSession,
    SearchTerm,
)
from support import clock
from tickets.models import Status, Ticket

TOP = 10
MIN_VOTES = 1


@dataclass
class Gap:
    kind: str  # "search" | "tag" | "subject"
    topic: str
    count: int
    detail: str


@dataclass(frozen=True)
class ReportFilter:
    """What the report covers. ``language`` narrows articles (their language), searches (the
    searcher's language), request forms (those that showed an article in it) and ticket gaps
    (requesters who read in it); ``category_id`` narrows articles and request forms (those that
    showed one of its articles). Searches and tickets have no category: with a category the
    report leaves out the search and ticket gaps and the search counts."""

    start: date
    end: date
    language: str = ""
    category_id: int | None = None

    @classmethod
    def last_days(cls, days: int, **narrow) -> ReportFilter:
        end = timezone.localdate(clock.now())
        return cls(start=end - timedelta(days=days - 1), end=end, **narrow)

    def articles(self, prefix: str = "article__") -> Q:
        q = Q()
        if self.language:
            q &= Q(**{f"{prefix}language": self.language})
        if self.category_id is not None:
            q &= Q(**{f"{prefix}section__category_id": self.category_id})
        return q


@dataclass
class KnowledgeReport:
    start: date
    end: date
    language: str = ""  # the filter's ("": every language)
    category: str = ""  # the filter's category name ("": every category)
    views: int = 0
    votes: int = 0
    helpful: int = 0
    sessions: int = 0
    opened: int = 0
    deflected: int = 0
    submitted: int = 0
    sent: int = 0
    searches: int = 0
    empty_searches: int = 0
    top_viewed: list[dict] = field(default_factory=list)
    top_helpful: list[dict] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    @property
    def helpful_ratio(self) -> float | None:
        return self.helpful / self.votes if self.votes else None

    @property
    def deflection_rate(self) -> float | None:
        """Deflected requests out of request forms that showed suggestions."""
        return self.deflected / self.sessions if self.sessions else None

    @property
    def empty_rate(self) -> float | None:
        return self.empty_searches / self.searches if self.searches else None


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def knowledge_report(*, days: int = 30, only: ReportFilter | None = None) -> KnowledgeReport:
    only = only or ReportFilter.last_days(days)
    start, end = only.start, only.end
    since, until = _bounds(start, end)
    report = KnowledgeReport(start=start, end=end, language=only.language)
    if only.category_id is not None:
        report.category = (
            Category.objects.filter(pk=only.category_id).values_list("name", flat=True).first()
            or ""
        )
    narrow = only.articles()

    views = ArticleView.objects.filter(narrow, day__gte=start, day__lte=end)
    report.views = views.aggregate(n=Sum("count"))["n"] or 0
    report.top_viewed = list(
        views.values("article_id", title=F("article__title"), language=F("article__language"))
        .annotate(views=Sum("count"))
        .order_by("-views", "article_id")[:TOP]
    )

    votes = ArticleVote.objects.filter(narrow, at__gte=since, at__lt=until)
    totals = votes.aggregate(n=Count("id"), yes=Count("id", filter=Q(helpful=True)))
    report.votes, report.helpful = totals["n"], totals["yes"]
    report.top_helpful = [
        {**row, "ratio": row["yes"] / row["votes"]}
        for row in votes.values(
            "article_id", title=F("article__title"), language=F("article__language")
        )
        .annotate(votes=Count("id"), yes=Count("id", filter=Q(helpful=True)))
        .filter(votes__gte=MIN_VOTES)
        .order_by("-yes", "-votes", "article_id")[:TOP]
    ]

    sessions = DeflectionSession.objects.filter(started_at__gte=since, started_at__lt=until)
    if narrow:
        showing = Article.objects.filter(only.articles(prefix="")).values("pk")
        sessions = sessions.filter(
            pk__in=DeflectionSession.shown.through.objects.filter(article_id__in=showing).values(
                "deflectionsession_id"
            )
        )
    counts = sessions.aggregate(
        n=Count("id"),
        opened=Count("id", filter=Q(opened_at__isnull=False)),
        deflected=Count("id", filter=Q(opened_at__isnull=False, submitted_at__isnull=True)),
        submitted=Count("id", filter=Q(submitted_at__isnull=False)),
    )
    report.sessions = counts["n"]
    report.opened = counts["opened"]
    report.deflected = counts["deflected"]
    report.submitted = counts["submitted"]
    report.sent = ArticleSend.objects.filter(narrow, at__gte=since, at__lt=until).count()

    if only.category_id is not None:
        return report  # searches and tickets have no category
    searches = SearchTerm.objects.filter(day__gte=start, day__lte=end)
    if only.language:
        searches = searches.filter(language=only.language)
    totals = searches.aggregate(n=Sum("searches"), empty=Sum("empty"))
    report.searches, report.empty_searches = totals["n"] or 0, totals["empty"] or 0
    report.gaps = _search_gaps(searches) + _ticket_gaps(since, until, language=only.language)
    return report


def _search_gaps(searches) -> list[Gap]:
    """Frequent searches that found nothing, or whose results nobody opened."""
    rows = (
        searches.values("query")
        .annotate(n=Sum("searches"), empty=Sum("empty"), clicks=Sum("clicks"))
        .filter(Q(empty__gt=0) | Q(clicks=0))
        .order_by("-n", "query")[:TOP]
    )
    gaps = []
    for row in rows:
        if row["empty"]:
            detail = f"{row['empty']} of {row['n']} searches found nothing"
        else:
            detail = f"{row['n']} searches, no result opened"
        gaps.append(Gap(kind="search", topic=row["query"], count=row["n"], detail=detail))
    return gaps


def _ticket_gaps(since: datetime, until: datetime, *, language: str = "") -> list[Gap]:
    """Tags and repeated subjects of tickets solved in the period without any article sent,
    leaving out tags some published article already carries (of ``language``'s requesters:
    their contact's locale is it, or a regional variant of it)."""
    solved = Ticket.objects.filter(
        solved_at__gte=since, solved_at__lt=until, status__in=[Status.SOLVED, Status.CLOSED]
    ).exclude(pk__in=ArticleSend.objects.values("ticket_id"))
    if language:
        solved = solved.filter(
            Q(requester__locale__iexact=language)
            | Q(requester__locale__istartswith=f"{language}-")
            | Q(requester__locale__istartswith=f"{language}_")
        )
    covered = {
        tag.strip().lower()
        for tags in Article.objects.published()
        .exclude(tags="")
        .values_list("tags", flat=True)[:5000]
        for tag in tags.split(",")
        if tag.strip()
    }
    gaps = []
    tags = (
        solved.values(tag=Lower("tags__name"))
        .exclude(tag__isnull=True)
        .annotate(n=Count("id", distinct=True))
        .order_by("-n", "tag")[: TOP * 2]
    )
    for row in tags:
        name = row["tag"]
        topic = name.split(":", 1)[-1]
        if name == "spam" or topic in covered or name in covered:
            continue
        gaps.append(
            Gap(
                kind="tag",
                topic=name,
                count=row["n"],
                detail=f"{row['n']} tickets solved, no article sent",
            )
        )
    subjects = (
        solved.annotate(s=Lower(Trim("subject")))
        .values("s")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .order_by("-n", "s")[:TOP]
    )
    for row in subjects:
        gaps.append(
            Gap(
                kind="subject",
                topic=row["s"],
                count=row["n"],
                detail=f"{row['n']} tickets with this subject, no article sent",
            )
        )
    return gaps[: TOP * 3]
