from django.contrib.auth.management import create_permissions
from django.db import migrations

# Newsroom roles. Superusers are not needed for daily work.
ROLES = {
    "Reporter": [
        "claims.add_claim", "claims.change_claim", "claims.view_claim", "claims.submit_claim",
        "claims.add_appearance", "claims.change_appearance", "claims.delete_appearance", "claims.view_appearance",
        "claims.add_claimant", "claims.change_claimant", "claims.view_claimant",
        "claims.view_topic", "claims.view_rating", "claims.view_ratingscale", "claims.view_correction",
        "sources.add_source", "sources.view_source", "sources.add_outlet", "sources.view_outlet",
    ],
    "Redakteur": [
        "claims.review_claim",
        "claims.add_topic", "claims.change_topic",
        "sources.change_source", "sources.change_outlet",
    ],
    "Chef vom Dienst": [
        "claims.publish_claim", "claims.correct_claim", "claims.add_correction",
        "claims.change_rating", "claims.add_rating", "claims.change_ratingscale",
    ],
}
# Editors can do everything reporters can, publishers everything editors can.
ROLES["Redakteur"] = ROLES["Reporter"] + ROLES["Redakteur"]
ROLES["Chef vom Dienst"] = ROLES["Redakteur"] + ROLES["Chef vom Dienst"]


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
        ("sources", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
