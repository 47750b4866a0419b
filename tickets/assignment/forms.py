"""The admin page's forms: each team's assignment settings, each agent's capacity."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _

from accounts.models import Team, User


class TeamAssignmentForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["assignment_mode", "return_after_minutes"]
        labels = {"assignment_mode": "Assignment", "return_after_minutes": "Return after (min)"}
        help_texts = {"return_after_minutes": ""}
        widgets = {"return_after_minutes": forms.NumberInput(attrs={"min": 0, "max": 10080})}

    def clean_return_after_minutes(self) -> int:
        minutes = self.cleaned_data["return_after_minutes"]
        if minutes > 10080:
            raise forms.ValidationError(_("At most a week (10080 minutes)."))
        return minutes


class AgentCapacityForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["capacity"]
        labels = {"capacity": "Max open tickets"}
        widgets = {"capacity": forms.NumberInput(attrs={"min": 0, "max": 1000})}


TeamFormSet = forms.modelformset_factory(Team, form=TeamAssignmentForm, extra=0)
AgentFormSet = forms.modelformset_factory(User, form=AgentCapacityForm, extra=0)
