"""The vocabulary for typo tolerance (catalog.search): the latin words of every item's search text, with on
PostgreSQL a trigram index on them and the fuzzystrmatch extension (levenshtein) that corrections use."""

from django.db import migrations, models

from catalog.search import document_words

FILL_CHUNK = 2000


def fill_words(apps, schema_editor):
    Item = apps.get_model("catalog", "Item")
    SearchWord = apps.get_model("catalog", "SearchWord")
    alias = schema_editor.connection.alias
    words: set[str] = set()
    for document in Item.objects.using(alias).values_list("search_text", flat=True).iterator(chunk_size=FILL_CHUNK):
        words |= document_words(document)
    SearchWord.objects.using(alias).bulk_create(
        [SearchWord(word=word) for word in sorted(words)], batch_size=FILL_CHUNK, ignore_conflicts=True
    )


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS catalog_searchword_trgm ON catalog_searchword USING gin (word gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS catalog_searchword_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_item_sales_terms"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("word", models.CharField(max_length=60, unique=True)),
            ],
            options={
                "verbose_name": "search word",
                "verbose_name_plural": "search words",
            },
        ),
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(fill_words, migrations.RunPython.noop),
    ]
