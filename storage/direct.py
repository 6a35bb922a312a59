"""Core statements run straight on the pooled DB-API connection: the check-in path's executor.

For a check-in, SQLAlchemy's work around each statement (the compiled-cache lookup, the execution
context, the result objects) costs more than SQLite itself takes (docs/performance.md,
bench.updates). Here a statement is compiled by SQLAlchemy once per dialect, and its parameters
and rows go through the column types' own bind and result processors, so the SQL, the
placeholders and every value are the same as through `Connection.execute`, on SQLite and on
PostgreSQL (tests/test_direct_statements.py runs both ways and compares).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from types import TracebackType
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any]


class CompiledStatement:
    """The SQL text for one dialect, and how values go to the driver and come back from it."""

    def __init__(self, statement: Executable, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
        assert isinstance(compiled, SQLCompiler)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("statements whose SQL changes per execution cannot run directly")
        self.sql: str = compiled.string
        self.compiled = compiled
        # Bind names in placeholder order; None for drivers that take named parameters.
        self.positions = tuple(compiled.positiontup or ()) if compiled.positional else None
        self.bind_processors: list[tuple[str, Processor]] = []
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.bind_processors.append((name, processor))
        columns = getattr(statement, "selected_columns", None) or ()
        self._result_types = tuple(column.type.dialect_impl(dialect) for column in columns)
        self._dialect = dialect
        self._result_processors: list[tuple[int, Processor]] | None = None

    def result_processors(self, description: Sequence[Any]) -> list[tuple[int, Processor]]:
        """Per column, as SQLAlchemy picks it: by the column's type and the type the driver reports.

        The driver reports the same types for a statement every time, so the first row decides.
        """
        if self._result_processors is None:
            processors = []
            for index, (kind, column) in enumerate(zip(self._result_types, description, strict=True)):
                processor = kind.result_processor(self._dialect, column[1])
                if processor is not None:
                    processors.append((index, processor))
            self._result_processors = processors
        return self._result_processors


@cache
def compile_for(statement: Executable, dialect: Dialect) -> CompiledStatement:
    """Compiled once per statement and dialect; the statements are built once too (`@cache`)."""
    return CompiledStatement(statement, dialect)


class DirectConnection:
    """One pooled DB-API connection; what is not committed is rolled back when it is closed."""

    def __init__(self, engine: Engine) -> None:
        self._dialect = engine.dialect
        self._connection: PoolProxiedConnection = engine.raw_connection()

    def __enter__(self) -> DirectConnection:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def _run(self, statement: Executable, params: dict[str, Any]) -> tuple[CompiledStatement, Any]:
        prepared = compile_for(statement, self._dialect)
        values = prepared.compiled.construct_params(params)
        for name, processor in prepared.bind_processors:
            if name in values:
                values[name] = processor(values[name])
        cursor = self._connection.cursor()
        if prepared.positions is None:
            cursor.execute(prepared.sql, values)
        else:
            cursor.execute(prepared.sql, tuple(values[name] for name in prepared.positions))
        return prepared, cursor

    def first(self, statement: Executable, params: dict[str, Any]) -> tuple[Any, ...] | None:
        """The first row of a SELECT, its values converted as SQLAlchemy converts them."""
        prepared, cursor = self._run(statement, params)
        try:
            row = cursor.fetchone()
            if row is None:
                return None
            values = list(row)
            for index, processor in prepared.result_processors(cursor.description):
                values[index] = processor(values[index])
            return tuple(values)
        finally:
            cursor.close()

    def scalar(self, statement: Executable, params: dict[str, Any]) -> Any:
        """The first column of the first row, or None."""
        row = self.first(statement, params)
        return None if row is None else row[0]

    def execute(self, statement: Executable, params: dict[str, Any]) -> None:
        """Run an INSERT or UPDATE in the connection's transaction."""
        _, cursor = self._run(statement, params)
        cursor.close()

    def commit(self) -> None:
        self._connection.commit()

    def close(self) -> None:
        """Back to the pool, which rolls back anything not committed."""
        self._connection.close()
