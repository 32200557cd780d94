from django.db import migrations

# A claim's detail names the claim it duplicates only while that one is public: its status and
# publication time now make the stored lines of its duplicates be written afresh, like its slug.
TRIGGER = """
DROP TRIGGER claims_claim_forget_detail_lines ON claims_claim;
CREATE TRIGGER claims_claim_forget_detail_lines AFTER UPDATE ON claims_claim FOR EACH ROW {condition}
EXECUTE FUNCTION claims_forget_detail_lines();
"""
SLUG = "WHEN (NEW.slug IS DISTINCT FROM OLD.slug)"
SLUG_STATUS_TIME = (
    "WHEN (NEW.slug IS DISTINCT FROM OLD.slug OR NEW.status IS DISTINCT FROM OLD.status"
    " OR NEW.published_at IS DISTINCT FROM OLD.published_at)"
)


class Migration(migrations.Migration):
    dependencies = [("claims", "0011_claim_search_window_index")]

    operations = [
        migrations.RunSQL(TRIGGER.format(condition=SLUG_STATUS_TIME), TRIGGER.format(condition=SLUG)),
        # Lines stored before may name an original that is no longer public.
        migrations.RunSQL(
            "DELETE FROM claims_claimlistitem WHERE claim_id IN (SELECT id FROM claims_claim WHERE duplicate_of_id IS NOT NULL)",
            migrations.RunSQL.noop,
        ),
    ]
