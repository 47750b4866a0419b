"""Articles in ``/api/v1/articles``: read for every token (a customer's token sees published,
public articles only — the same selector as the help center), written by agents through the
same services as the editor."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kb import selectors, services
from kb.models import Article, ArticleStatus, Language, Section
from kb.serializers import ArticleSerializer, ArticleWriteSerializer
from support.api.filters import IdFilter, ordering_filter
from support.api.permissions import ApiPermission
from support.api.schema import ID_REGEX
from support.api.views import ApiViewMixin
from support.errors import NotFound

ORDERINGS = {
    "-updated_at": ("-updated_at", "-id"),
    "title": ("title", "id"),
}


class AgentsWrite(permissions.BasePermission):
    """Anyone signed in reads; only agents write (others get a 404, not a hint)."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if request.user.is_authenticated and not request.user.is_agent:
            raise exceptions.NotFound()
        return True


class ArticleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", max_length=200, help_text="Every word in the title, summary or body."
    )
    language = django_filters.ChoiceFilter(choices=Language.choices)
    status = django_filters.ChoiceFilter(choices=ArticleStatus.choices)
    section = IdFilter(field_name="section_id")
    ordering = ordering_filter(ORDERINGS)

    class Meta:
        model = Article
        fields: list[str] = []

    def search(self, queryset, name, value):
        for term in selectors.search_terms(value):
            queryset = queryset.filter(
                Q(title__icontains=term) | Q(summary__icontains=term) | Q(body__icontains=term)
            )
        return queryset


@extend_schema_view(
    list=extend_schema(summary="List articles (customers: published public ones)"),
    retrieve=extend_schema(summary="Get an article"),
)
class ArticleViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ArticleSerializer
    filterset_class = ArticleFilter
    permission_classes = [ApiPermission, AgentsWrite]
    ordering_choices = ORDERINGS
    default_ordering = "-updated_at"
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Article.objects.none()
        user = self.request.user
        if selectors.is_agent(user):
            articles = Article.objects.all()  # agents manage drafts and archived ones too
        else:
            articles = selectors.articles_readable_by(user)
        return articles.select_related("section")

    def _section(self, pk: int) -> Section:
        section = Section.objects.filter(pk=pk).first()
        if section is None:
            raise NotFound("No such section.", field="section_id")
        return section

    def _save(self, article: Article | None, data: dict) -> Article:
        return services.article_save(
            by=self.request.user,
            article=article,
            section=self._section(data.pop("section_id")),
            **data,
        )

    @extend_schema(
        summary="Create an article (agents; a draft)",
        request=ArticleWriteSerializer,
        responses={201: ArticleSerializer},
    )
    def create(self, request):
        incoming = ArticleWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        article = self._save(None, dict(incoming.validated_data))
        return Response(ArticleSerializer(article).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change an article (agents; records a revision)",
        request=ArticleWriteSerializer,
        responses={200: ArticleSerializer},
    )
    def partial_update(self, request, pk=None):
        article = self.get_object()
        current = {
            "section_id": article.section_id,
            "title": article.title,
            "body": article.body,
            "slug": article.slug,
            "language": article.language,
            "summary": article.summary,
            "tags": article.tag_list,
            "internal": article.internal,
        }
        # The changes alone first: a body that isn't a JSON object is DRF's 400, not a merge.
        ArticleWriteSerializer(data=request.data, partial=True).is_valid(raise_exception=True)
        incoming = ArticleWriteSerializer(data={**current, **request.data})
        incoming.is_valid(raise_exception=True)
        article = self._save(article, dict(incoming.validated_data))
        return Response(ArticleSerializer(article).data)

    @extend_schema(summary="Publish an article (agents)", request=None)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        article = services.article_publish(article=self.get_object(), by=request.user)
        return Response(ArticleSerializer(article).data)

    @extend_schema(summary="Archive an article (agents)", request=None)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        article = services.article_archive(article=self.get_object(), by=request.user)
        return Response(ArticleSerializer(article).data)
