"""Item search (catalog.search): the `search_text` document, filled for existing items, and on PostgreSQL its
GIN indexes — full-text on `to_tsvector('simple', search_text)` and trigram (pg_trgm) on `search_text`."""

from django.db import migrations, models

from catalog.search import search_document

FILL_CHUNK = 2000

CREATE_INDEXES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS catalog_item_search_fts ON catalog_item "
    "USING gin (to_tsvector('simple'::regconfig, search_text))",
    "CREATE INDEX IF NOT EXISTS catalog_item_search_trgm ON catalog_item USING gin (search_text gin_trgm_ops)",
]
DROP_INDEXES = [
    "DROP INDEX IF EXISTS catalog_item_search_trgm",
    "DROP INDEX IF EXISTS catalog_item_search_fts",
]


def fill_search_text(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    Item = apps.get_model("catalog", "Item")
    categories = {category.pk: category for category in Category.objects.using(schema_editor.connection.alias)}
    for category in categories.values():
        if category.parent_id in categories:
            category.parent = categories[category.parent_id]
    items = Item.objects.using(schema_editor.connection.alias).order_by("pk")
    changed = []
    for item in items.iterator(chunk_size=FILL_CHUNK):
        item.search_text = search_document(item, categories[item.category_id])
        changed.append(item)
        if len(changed) >= FILL_CHUNK:
            Item.objects.using(schema_editor.connection.alias).bulk_update(changed, ["search_text"])
            changed = []
    Item.objects.using(schema_editor.connection.alias).bulk_update(changed, ["search_text"])


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in CREATE_INDEXES:
        schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROP_INDEXES:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="item",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="search text"),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
