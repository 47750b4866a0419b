from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from kb.models import Article, Language
from kb.services import SLUG_PATTERN
from support.api.serializers import StrictInputSerializer


class ArticleSerializer(serializers.ModelSerializer):
    section_id = serializers.IntegerField(read_only=True)
    category_id = serializers.IntegerField(source="section.category_id", read_only=True)
    author_id = serializers.IntegerField(read_only=True, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(), source="tag_list", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "slug",
            "language",
            "summary",
            "body",
            "body_html",
            "tags",
            "section_id",
            "category_id",
            "status",
            "internal",
            "author_id",
            "created_at",
            "updated_at",
            "published_at",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, article: Article) -> str:
        return reverse("kb:article", args=[article.language, article.slug])


class ArticleWriteSerializer(StrictInputSerializer):
    section_id = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()
    # Blank: made from the title. Given: with a letter or digit (kb.services.slug_for).
    slug = serializers.RegexField(SLUG_PATTERN, max_length=200, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=Language.choices, default=Language.ENGLISH)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, default=list
    )
    internal = serializers.BooleanField(required=False, default=False)
