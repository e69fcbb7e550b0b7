"""Turn the help page that 0002 created into the help centre, and create the "Content editors" group.

The help page (a ContentPage with slug "help") becomes a HelpIndexPage in place: same page row, URL and
revisions, its summary becomes the introduction. A help page that already has child pages is left alone.

"Content editors" may open the back office (/cms/), add, edit, publish, lock and unlock pages anywhere in the
tree, add and change images and documents, and edit the portal settings. Put a person in this group in
/cms/ → Settings → Users to let them edit the public site without a staff role.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_EDITORS = "Content editors"
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"), ("wagtailimages", "change_image"), ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"), ("wagtaildocs", "change_document"), ("wagtaildocs", "choose_document"),
]  # fmt: skip
MODEL_PERMISSIONS = [("wagtailadmin", "access_admin"), ("theme", "change_portalsettings")]


def convert_help_page(apps, schema_editor):
    ContentPage = apps.get_model("theme", "ContentPage")
    HelpIndexPage = apps.get_model("theme", "HelpIndexPage")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Revision = apps.get_model("wagtailcore", "Revision")

    old = ContentPage.objects.filter(slug="help", depth=3, kind="help").first()
    if old is None or old.numchild or HelpIndexPage.objects.exists():
        return
    help_type, _ = ContentType.objects.get_or_create(app_label="theme", model="helpindexpage")
    old_type_id = old.content_type_id
    page_id = old.pk
    values = {"title_en": old.title_en, "intro": old.summary, "intro_en": old.summary_en}
    # Only the ContentPage row goes; the page row (tree, URL, revisions) stays.
    ContentPage.objects.filter(pk=page_id)._raw_delete(ContentPage.objects.db)
    HelpIndexPage(page_ptr_id=page_id, **values).save_base(raw=True)
    Page.objects.filter(pk=page_id).update(content_type=help_type)
    Revision.objects.filter(object_id=str(page_id), content_type_id=old_type_id).update(content_type=help_type)


def create_content_editors(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    def permission(app_label, codename):
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    group, _ = Group.objects.get_or_create(name=CONTENT_EDITORS)
    for app_label, codename in MODEL_PERMISSIONS:
        group.permissions.add(permission(app_label, codename))
    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is not None:
        for codename in PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=group, page=root, permission=permission("wagtailcore", codename)
            )
    collection = Collection.objects.filter(depth=1).order_by("path").first()
    if collection is not None:
        for app_label, codename in COLLECTION_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=collection, permission=permission(app_label, codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("theme", "0003_news_notices_help_contact_settings"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [
        migrations.RunPython(convert_help_page, migrations.RunPython.noop),
        migrations.RunPython(create_content_editors, migrations.RunPython.noop),
    ]
