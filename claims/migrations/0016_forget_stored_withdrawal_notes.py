from django.db import migrations


def forget_stored_withdrawal_notes(apps, schema_editor):
    """Stored API details written before withdrawals were left out of a claim's corrections
    name the withdrawal note; without them, a read writes each afresh."""
    Correction = apps.get_model("claims", "Correction")
    ClaimListItem = apps.get_model("claims", "ClaimListItem")
    withdrawn_once = Correction.objects.filter(kind="withdrawal").values("claim_id")
    ClaimListItem.objects.filter(claim_id__in=withdrawn_once).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0015_constraint_messages"),
    ]

    operations = [
        migrations.RunPython(forget_stored_withdrawal_notes, migrations.RunPython.noop),
    ]
