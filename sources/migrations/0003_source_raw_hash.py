import hashlib

from django.db import migrations, models


def hash_existing_snapshots(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    for source in Source.objects.only("pk", "raw").iterator():
        digest = hashlib.sha256(bytes(source.raw or b"")).hexdigest()
        Source.objects.filter(pk=source.pk).update(raw_hash=digest)


class Migration(migrations.Migration):

    dependencies = [
        ("sources", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="source",
            name="raw_hash",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="SHA-256 der unveränderten Original-Bytes.",
                max_length=64,
                verbose_name="Original-Hash",
            ),
        ),
        migrations.RunPython(hash_existing_snapshots, migrations.RunPython.noop),
    ]
