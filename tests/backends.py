"""The PostgreSQL server the suite also runs against: a fresh schema per session, clean tables per
test; and the Redis server of the shared send budget's tests, a fresh key prefix per test.

Tests that need either fail when CI=true and the server is unreachable, and are skipped elsewhere
with the reason; TEST_POSTGRES_URL and TEST_REDIS_URL name other servers.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

DEFAULT_TEST_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/0"


def server_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_TEST_POSTGRES_URL)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def with_search_path(url: str, schema: str) -> str:
    """`url` with every connection's search_path set to `schema` (also for other processes)."""
    changed = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return changed.render_as_string(hide_password=False)


def require_server(url: str) -> None:
    """Fail under CI, else skip, when the server does not answer."""
    probe = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with probe.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        reason = (
            f"PostgreSQL at {make_url(url).render_as_string(hide_password=True)} is not "
            f"reachable ({type(error.orig).__name__}); start it or set TEST_POSTGRES_URL"
        )
        if in_ci():
            pytest.fail(f"CI=true: {reason}", pytrace=False)
        pytest.skip(reason)
    finally:
        probe.dispose()


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A new, empty schema on the server; yields a URL that uses it, and drops it afterwards."""
    require_server(url)
    schema = f"habits_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield with_search_path(url, schema)
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def empty_tables(engine: Engine) -> None:
    """Delete every row and restart the ids, keeping the (migrated) tables."""
    names = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def redis_server_url() -> str:
    return os.environ.get("TEST_REDIS_URL", DEFAULT_TEST_REDIS_URL)


def require_redis(url: str) -> None:
    """Fail under CI, else skip, when the Redis server does not answer."""
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        reason = (
            f"Redis at {client.get_connection_kwargs().get('host')}:"
            f"{client.get_connection_kwargs().get('port')} is not reachable "
            f"({type(error).__name__}); start it or set TEST_REDIS_URL"
        )
        if in_ci():
            pytest.fail(f"CI=true: {reason}", pytrace=False)
        pytest.skip(reason)
    finally:
        client.close()


@contextmanager
def fresh_redis_prefix(url: str) -> Iterator[str]:
    """A key prefix no one else uses on the server (other test runs share it); its keys are
    deleted afterwards."""
    require_redis(url)
    prefix = f"habits-test-{uuid.uuid4().hex[:12]}"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(url)
        try:
            keys = list(client.scan_iter(match=f"{prefix}*"))
            if keys:
                client.delete(*keys)
        finally:
            client.close()
