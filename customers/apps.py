from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        import customers.fields  # noqa: F401 - connects the field cache's signals
        from customers.models import CustomerEvent
        from support import events

        events.register(CustomerEvent, kinds=CustomerEvent.Kind.values)
