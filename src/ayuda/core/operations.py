"""Migration operations the apps share."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db.migrations.operations import AddIndex
from django.db.migrations.operations.base import Operation


class AddIndexConcurrentlyOnPostgreSQL(AddIndexConcurrently):
    """``AddIndex`` that PostgreSQL builds ``CONCURRENTLY``, so a large table stays writable
    while it is indexed, and any other database builds as usual. The migration holding it
    needs ``atomic = False``."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class CreateStatisticsOnPostgreSQL(Operation):
    """``CREATE STATISTICS`` on PostgreSQL: tells its planner how the values of some columns
    go together (without it, it multiplies their selectivities as if independent and may
    pick the wrong index for a rare combination). Nothing on any other database."""

    reversible = True

    def __init__(self, *, name: str, model_name: str, fields: list[str], kinds=("mcv",)):
        self.name = name
        self.model_name = model_name
        self.fields = list(fields)
        self.kinds = tuple(kinds)

    def deconstruct(self):
        kwargs = {"name": self.name, "model_name": self.model_name, "fields": self.fields}
        if self.kinds != ("mcv",):
            kwargs["kinds"] = self.kinds
        return self.__class__.__name__, [], kwargs

    def state_forwards(self, app_label, state):
        pass  # no model state: the statistics live in the database only

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        quote = schema_editor.quote_name
        columns = ", ".join(quote(model._meta.get_field(f).column) for f in self.fields)
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {quote(self.name)} ({', '.join(self.kinds)}) "
            f"ON {columns} FROM {quote(model._meta.db_table)}"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"DROP STATISTICS IF EXISTS {schema_editor.quote_name(self.name)}"
            )

    def describe(self) -> str:
        return f"Create statistics {self.name} on {self.model_name} ({', '.join(self.fields)})"
