"""Link feedback items filed with a free "product area" to components (feedback.area_components)."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from feedback.area_components import areas_to_components
from feedback.models import FeedbackItem


class Command(BaseCommand):
    help = "Turn every feedback item's free product area into a component of a product."

    def handle(self, *args, **options):
        before = FeedbackItem.objects.filter(component__isnull=False).count()
        with transaction.atomic():
            areas_to_components(apps, None)
        after = FeedbackItem.objects.filter(component__isnull=False).count()
        self.stdout.write(f"Linked {after - before} feedback items to components.")
