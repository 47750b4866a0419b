from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kb.models import Language, Section


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Slug"),
        max_length=200,
        required=False,
        help_text=_("The article's address; made from the title when left empty."),
    )
    section = forms.ModelChoiceField(
        label=_("Section"), queryset=Section.objects.select_related("category")
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=300,
        required=False,
        help_text=_("One sentence; shown in search results and as the page description."),
    )
    body = forms.CharField(
        label=_("Body (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 18, "class": "code", "spellcheck": "true"}),
    )
    tags = forms.CharField(
        label=_("Tags"), max_length=300, required=False, help_text=_("Comma-separated")
    )
    internal = forms.BooleanField(
        label=_("Internal only (agents see it; customers never do)"), required=False
    )
    # "Create article from this ticket": the ticket it starts from (checked in the view).
    from_ticket = forms.IntegerField(required=False, widget=forms.HiddenInput)
