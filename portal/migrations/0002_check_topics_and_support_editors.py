"""The check's finding codes as topics, and the "Support editors" group.

Support editors may view, add and change notices, FAQ categories and FAQ entries, and nothing
else. They cannot delete: a notice or answer is withdrawn by making it a draft (or unpublished)
or by giving it an end date, which keeps it and its history; deleting is left to administrators.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

FINDING_CODES = [
    "mailbox_differs",
    "domain_differs",
    "outside_service",
    "no_spf",
    "spf_error",
    "addresses_disagree",
    "newly_failing",
    "always_failing",
]
GROUP_NAME = "Support editors"
EDITOR_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("notice", "faqcategory", "faqentry")
    for action in ("view", "add", "change")
]


def create_topics(apps, schema_editor):
    CheckTopic = apps.get_model("portal", "CheckTopic")
    for code in FINDING_CODES:
        CheckTopic.objects.get_or_create(code=code)


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations have run; create them now so the
    # group can be given them on a fresh database.
    portal = apps.get_app_config("portal")
    portal.models_module = True
    create_permissions(portal, apps=apps, verbosity=0)
    portal.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="portal", codename__in=EDITOR_PERMISSIONS)
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_content"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_topics, migrations.RunPython.noop),
        migrations.RunPython(create_group, remove_group),
    ]
