from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.tokens import api_token_create
from support.errors import DomainError


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it once."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="Command line")
        parser.add_argument("--read-only", action="store_true")

    def handle(self, *args, email, name, read_only, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the email address {email}.")
        try:
            token, raw = api_token_create(user=user, name=name, read_only=read_only)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(
            f"Token {token.name!r} for {user.email}"
            f"{' (read-only)' if token.read_only else ''}. It is shown only this once:"
        )
        self.stdout.write(raw)
