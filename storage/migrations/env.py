"""Alembic's entry point: migrates the connection handed over by storage.database.upgrade_schema,
or, from the command line (`alembic upgrade head`), the database named by DATABASE_URL."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from storage import models  # registers the tables on SQLModel.metadata


def _render_item(kind: str, item: Any, _autogen: AutogenContext) -> str | Literal[False]:
    """Write the project's column types as the plain SQL types they store, so that a migration
    keeps working when the models change."""
    if kind == "type" and isinstance(item, AutoString):
        return "sa.String()"
    if kind == "type" and isinstance(item, models.UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        # SQLite cannot alter most columns in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from storage.config import load_database_settings
    from storage.database import create_db_engine

    engine = create_db_engine(load_database_settings().database_url)
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


run_migrations()
