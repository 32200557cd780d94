"""Prepared statements for the few queries the API and the claim page run many times a second.

PostgreSQL spends more time planning the SQL that writes the API's JSON (claims/api/lean.py)
than running it. A prepared statement is planned once per connection and then run with new
parameters. Django's cursors bind parameters on the client and never prepare; this cursor
binds them on the server and prepares every statement it runs. psycopg keeps the prepared
statements of a connection (at most `prepared_max`, least recently used dropped first).
Querysets run on every page view are compiled to SQL once, too (`CompiledQuery`).

Poolers that hand a connection to another client per transaction (PgBouncer before 1.21 in
transaction mode) lose prepared statements: there set `DATABASE_PREPARED_STATEMENTS=false`,
and these queries are planned every time like all others.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connections
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler


class PreparingCursor(ServerBindingCursor):
    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


def plain_cursor(using: str):
    """Django's own cursor on the database `using` (nothing prepared)."""
    return connections[using].cursor()


def use_generic_plans(sender, connection, **kwargs) -> None:
    """Run prepared statements by their generic plan (`connection_created` receiver).

    They are prepared because planning them costs more than running them. Left to choose,
    PostgreSQL plans some of them afresh on every run all the same: on a small archive it
    takes the cursor page of the API list (`lean.list_page`) for cheaper with its real
    parameters, and that page then took 0.65 ms instead of 0.18 ms. Unprepared statements
    (searches, the admin) are planned every time as before; the setting does not touch them.
    """
    if settings.DATABASE_PREPARED_STATEMENTS and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_generic_plan")


@contextmanager
def prepared_cursor(using: str):
    """A Django cursor on the database `using` whose statements are prepared (if enabled)."""
    if not settings.DATABASE_PREPARED_STATEMENTS:
        with plain_cursor(using) as cursor:
            yield cursor
        return
    connection = connections[using]
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = PreparingCursor(connection.connection)
    # The same wrappers as Django's own cursors: query logging, execute wrappers, errors.
    cursor = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        yield cursor


@contextmanager
def preparing(using: str):
    """Within this block, the ORM's statements on the database `using` are prepared too.

    For pages whose few queries look up rows by key (a claim by its slug, its appearances
    by its id): PostgreSQL plans them longer than it runs them. Not for searches, whose
    best plan depends on the words (a generic plan can be many times slower).
    """
    if not settings.DATABASE_PREPARED_STATEMENTS:
        yield
        return
    connection = connections[using]
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    previous, raw.cursor_factory = raw.cursor_factory, PreparingCursor
    try:
        yield
    finally:
        raw.cursor_factory = previous


# Stand-in values for the parameters that change from call to call (`compiled_with_slots`,
# `CompiledQuery`): values no real call passes, so each parameter that holds one is a slot.
ANY_TIME = datetime(1, 1, 1, tzinfo=UTC)
ANY_SLUG = "\x00slug"
ANY_ID = -1


def compiled_with_slots(queryset, using: str, placeholders: dict) -> tuple[str, tuple, tuple]:
    """SQL and parameters of `queryset` on the database `using`, compiled once by the caller
    with placeholder values in it, and for each parameter the name of the placeholder it
    holds (None for the others). `filled` puts the real values in on every run.

    For querysets whose building and compiling takes longer than PostgreSQL takes to run
    them as prepared statements; their SQL only changes with the code.
    """
    sql, params = queryset.query.get_compiler(using).as_sql()
    return sql, tuple(params), _slot_names(params, placeholders)


def _slot_names(params, placeholders: dict) -> tuple:
    return tuple(
        next((name for value, name in placeholders.items() if type(param) is type(value) and param == value), None) for param in params
    )


def filled(params: tuple, names: tuple, values: dict) -> list:
    """`params` with each placeholder (see `compiled_with_slots`) replaced by its value in `values`."""
    return [values[name] if name else param for param, name in zip(params, names, strict=True)]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    names: tuple
    # Which model and related models each row holds, and how values are converted: chosen by
    # the compiler, which converts them too (with no per-connection state).
    compiler: SQLCompiler
    converters: dict
    model: type
    fields: slice
    attnames: list
    populators: list


class CompiledQuery:
    """A queryset compiled to SQL once per database, then run prepared with new values.

    Django builds and compiles a queryset afresh every time it runs. For the few key lookups a
    page runs on every view (a claim by its slug, the rows that belong to it) that takes longer
    than PostgreSQL takes to answer them. `build(**placeholders)` returns the queryset with a
    stand-in value for each parameter that changes (see `compiled_with_slots`); `fetch(using,
    **values)` runs its SQL with the real values and returns the model instances the queryset
    returns, `select_related` objects and annotations included. Its `prefetch_related` lookups
    are not run.
    """

    def __init__(self, build, **placeholders):
        self.build = build
        self.placeholders = placeholders
        self._compiled = {}

    def _compile(self, using: str) -> _Compiled:
        compiler = self.build(**self.placeholders).query.get_compiler(using)
        sql, params = compiler.as_sql()
        klass_info, select = compiler.klass_info, compiler.select
        fields = slice(klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1)
        return _Compiled(
            sql=sql,
            params=tuple(params),
            names=_slot_names(params, {value: name for name, value in self.placeholders.items()}),
            compiler=compiler,
            converters=compiler.get_converters([column[0] for column in select[: compiler.col_count]]),
            model=klass_info["model"],
            fields=fields,
            attnames=[column[0].target.attname for column in select[fields]],
            populators=get_related_populators(klass_info, select, using),
        )

    def fetch(self, using: str, **values) -> list:
        """The instances the queryset returns with `values` in place of the placeholders: one query."""
        if (compiled := self._compiled.get(using)) is None:
            compiled = self._compiled[using] = self._compile(using)
        with prepared_cursor(using) as cursor:
            cursor.execute(compiled.sql, filled(compiled.params, compiled.names, values))
            rows = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        instances = []
        for row in rows:
            instance = compiled.model.from_db(using, compiled.attnames, row[compiled.fields])
            for populator in compiled.populators:
                populator.populate(row, instance)
            for name, position in compiled.compiler.annotation_col_map.items():
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances


def set_prefetched(instance, name: str, objects: list) -> None:
    """Let `instance.<name>.all()` answer `objects` without a query, as after `prefetch_related(name)`
    (for a reverse foreign key or a many-to-many field of the instance's model: their prefetched
    rows are kept under the name of the accessor). For rows fetched by a `CompiledQuery`."""
    queryset = getattr(instance, name).all()
    queryset._result_cache, queryset._prefetch_done = objects, True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset
