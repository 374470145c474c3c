"""Migration operations the apps share."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db.migrations.operations import AddIndex
from django.db.migrations.operations.base import Operation

from . import append_only


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


class MakeAppendOnly(Operation):
    """The database refuses UPDATE and DELETE of the model's rows (``core.append_only``):
    a trigger on PostgreSQL and SQLite, nothing on other databases. Reversible."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str):
        self.model_name = model_name

    def deconstruct(self):
        return self.__class__.__qualname__, [], {"model_name": self.model_name}

    def state_forwards(self, app_label, state):
        pass

    def _run(self, schema_editor, table: str, make) -> None:
        for sql in make(schema_editor.connection.vendor, table):
            schema_editor.execute(sql, params=None)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        self._run(schema_editor, model._meta.db_table, append_only.install_sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        self._run(schema_editor, model._meta.db_table, append_only.remove_sql)

    def describe(self):
        return f"Refuse UPDATE and DELETE of {self.model_name} rows in the database"

    @property
    def migration_name_fragment(self):
        return f"{self.model_name.lower()}_append_only"


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
