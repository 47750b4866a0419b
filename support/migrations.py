"""Migration operations for tables that are large in production.

``AddIndexOnline`` builds an index without blocking writes: ``CREATE INDEX CONCURRENTLY`` on
PostgreSQL (the migration must say ``atomic = False``, as PostgreSQL can't build concurrently in a
transaction), a plain ``CREATE INDEX`` on the embedded SQLite, which has no concurrent build and
whose tables are small. ``RemoveIndexOnline`` drops one the same way. Their state is ``AddIndex``'s
and ``RemoveIndex``'s, so ``makemigrations`` sees no difference.
"""

from __future__ import annotations

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations


class _ConcurrentOnPostgreSQL:
    """Runs the concurrent operation on PostgreSQL and its plain counterpart (``plain``)
    elsewhere."""

    plain: type[migrations.AddIndex] | type[migrations.RemoveIndex]

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            self.plain.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            self.plain.database_backwards(self, app_label, schema_editor, from_state, to_state)


class AddIndexOnline(_ConcurrentOnPostgreSQL, AddIndexConcurrently):
    plain = migrations.AddIndex

    def describe(self) -> str:
        return f"Create index {self.index.name} on {self.model_name} (concurrently on PostgreSQL)"


class RemoveIndexOnline(_ConcurrentOnPostgreSQL, RemoveIndexConcurrently):
    """``DROP INDEX CONCURRENTLY`` on PostgreSQL (``atomic = False``), a plain drop elsewhere."""

    plain = migrations.RemoveIndex

    def describe(self) -> str:
        return f"Remove index {self.name} from {self.model_name} (concurrently on PostgreSQL)"
