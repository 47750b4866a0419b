from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Customer portal"

    def ready(self) -> None:
        # Subscribes to ticket events (the receipt of a ticket filed in the portal).
        from portal import handlers  # noqa: F401
