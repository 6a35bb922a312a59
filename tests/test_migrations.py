"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL.

When a model gains a column or table without a migration, `test_migrated_schema_matches_models`
fails and names the difference: add a migration (`alembic revision --autogenerate -m ...`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from storage.database import create_db_engine, upgrade_schema


@pytest.fixture
def migrated(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A database brought to the newest revision by the migrations alone."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")  # migrated once for the session
    engine = create_db_engine(url)
    upgrade_schema(engine)
    yield engine
    engine.dispose()


def schema_differences(engine: Engine, metadata: MetaData) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_migrated_schema_matches_models(migrated: Engine) -> None:
    assert schema_differences(migrated, SQLModel.metadata) == []


def test_upgrading_again_changes_nothing(migrated: Engine) -> None:
    upgrade_schema(migrated)
    assert schema_differences(migrated, SQLModel.metadata) == []
    assert {"member", "nudge", "checkin", "pause", "alembic_version"} <= set(
        inspect(migrated).get_table_names()
    )


def test_a_model_change_without_migration_is_reported(migrated: Engine) -> None:
    changed = MetaData()
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["member"].append_column(Column("streak_record", Integer, nullable=True))
    differences = schema_differences(migrated, changed)
    assert [
        (kind, column.name) for kind, _, _, column in (d for d in differences if d[0] == "add_column")
    ] == [("add_column", "streak_record")]
