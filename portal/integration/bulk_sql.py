"""Bulk writes that Django's ORM makes slow, for services that apply many rows at once (catalog.bulk).

Both run in the caller's transaction, and turn database errors into Django's (IntegrityError, DataError), which
the caller handles like those of `save()`.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Model

# Rows per `UPDATE … FROM (VALUES …)`: keeps a statement's text and parameters a few MB at most.
UPDATE_CHUNK = 2000


def copy_rows(model: type[Model], objects: list[Model]) -> None:
    """Insert rows whose ids nobody needs back with one `COPY … FROM STDIN` (https://www.psycopg.org/psycopg3/docs/
    basic/copy.html). For audit rows and events `bulk_create` spent most of its time escaping their JSON into
    array literals. Field defaults and `auto_now_add` apply as in `save()` (each field's `pre_save`)."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        # The embedded default (SQLite, make run) has no COPY; the ORM's bulk insert does the same there.
        model._default_manager.bulk_create(objects, batch_size=500)
        return
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.pk]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    connection.ensure_connection()
    # the raw psycopg cursor: wrap_database_errors turns its errors into Django's, which the caller handles
    with connection.wrap_database_errors, connection.connection.cursor() as cursor:
        with cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields])


def update_rows(model: type[Model], objects: list[Model], field_names: list[str]) -> None:
    """Write these fields of these rows with `UPDATE … FROM (VALUES …)` (one statement per UPDATE_CHUNK rows):
    what `bulk_update` does, without the CASE expression per row and field that makes it cost more than a
    millisecond per row. Values are written as the instances hold them (no `pre_save`: set `auto_now` fields
    yourself)."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(objects, field_names, batch_size=500)
        return
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    columns = [pk, *fields]
    row = "(" + ", ".join(f"%s::{column.db_type(connection)}" for column in columns) + ")"
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in fields)
    names = ", ".join(quote(column.column) for column in columns)
    key = quote(pk.column)
    for start in range(0, len(objects), UPDATE_CHUNK):
        chunk = objects[start : start + UPDATE_CHUNK]
        params: list[Any] = []
        for obj in chunk:
            params.extend(column.get_db_prep_save(getattr(obj, column.attname), connection) for column in columns)
        sql = (
            f"UPDATE {quote(model._meta.db_table)} AS t SET {assignments} "
            f"FROM (VALUES {', '.join([row] * len(chunk))}) AS v({names}) WHERE t.{key} = v.{key}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
