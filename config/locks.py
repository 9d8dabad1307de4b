"""A named lock held until the current transaction ends, for work keyed by something
that has no row of its own to lock (yet)."""

from __future__ import annotations

from django.db import connection


def transaction_lock(name: str) -> None:
    """Waits for, then holds, the lock called ``name`` until the transaction commits or
    rolls back. Call inside ``transaction.atomic()``.

    PostgreSQL: a transaction-level advisory lock on a 64-bit hash of the name. SQLite
    has one writer at a time: a write statement takes the database's write lock now,
    so that two transactions cannot both read before either writes.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [name])
        else:
            cursor.execute("UPDATE django_migrations SET id = id WHERE 0 = 1")
