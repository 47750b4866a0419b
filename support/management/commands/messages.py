"""``manage.py messages update|compile|check``: the translation catalogs with Python alone."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from support import i18n_catalog


class Command(BaseCommand):
    help = (
        "Extract marked strings into the .po files (django: Python and templates; djangojs: "
        "static/js), compile the .mo files, or check both."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["update", "compile", "check"])

    def handle(self, *args, action: str, **options) -> None:
        if action == "update":
            for domain in i18n_catalog.DOMAINS:
                template = i18n_catalog.extract(domain=domain)
                for language in i18n_catalog.translated_languages():
                    path = i18n_catalog.update(language, template, domain=domain)
                    self.stdout.write(f"{path}: {len(template)} strings")
        elif action == "compile":
            for domain in i18n_catalog.DOMAINS:
                for language in i18n_catalog.translated_languages():
                    path = i18n_catalog.compile_language(language, domain=domain)
                    self.stdout.write(str(path))
        else:
            found = i18n_catalog.problems()
            if found:
                raise CommandError("\n".join(found))
            self.stdout.write("Every marked string is translated and compiled.")
