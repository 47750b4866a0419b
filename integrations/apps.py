from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        # Registers the ticket-event handlers that queue webhook deliveries.
        from integrations import handlers  # noqa: F401
        from integrations.status import webhook_readings
        from support.status import status_source

        status_source("Webhooks", webhook_readings)
