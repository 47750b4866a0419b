from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import selectors

        # Cache invalidation only: the cached agent and team lists drop when either changes.
        selectors.connect_signals()
