import importlib

from django.db import migrations, models

initial = importlib.import_module("claims.migrations.0009_claim_list_item")

# The stored row now also holds the detail line, so it shows appearances (with their sources
# and outlets), corrections (with their ratings) and the slug of the claim it duplicates: the
# triggers delete it when any of these change too. Rows written before hold no detail line:
# they are dropped, reads write them afresh until `manage.py store_api_list_items` stores them.
FORGET_STORED_JSON = """
CREATE OR REPLACE FUNCTION claims_forget_list_items() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    claim_ids bigint[];
BEGIN
    IF TG_TABLE_NAME = 'claims_claim' THEN
        -- The UPDATE holds the claim's row lock already.
        DELETE FROM claims_claimlistitem WHERE claim_id = OLD.id;
        IF NEW.slug IS NOT DISTINCT FROM OLD.slug THEN
            RETURN NULL;
        END IF;
        -- The details of the claims marked as its duplicates show its slug.
        claim_ids := ARRAY(SELECT id FROM claims_claim WHERE duplicate_of_id = OLD.id);
    ELSIF TG_TABLE_NAME IN ('claims_claim_topics', 'claims_appearance', 'claims_correction') THEN
        claim_ids := CASE TG_OP
            WHEN 'INSERT' THEN ARRAY[NEW.claim_id]
            WHEN 'DELETE' THEN ARRAY[OLD.claim_id]
            ELSE ARRAY[OLD.claim_id, NEW.claim_id]
        END;
    ELSIF TG_TABLE_NAME = 'claims_claimant' THEN
        claim_ids := ARRAY(SELECT id FROM claims_claim WHERE claimant_id = OLD.id);
    ELSIF TG_TABLE_NAME = 'claims_topic' THEN
        claim_ids := ARRAY(SELECT claim_id FROM claims_claim_topics WHERE topic_id = OLD.id);
    ELSIF TG_TABLE_NAME = 'claims_rating' THEN
        claim_ids := ARRAY(
            SELECT id FROM claims_claim WHERE rating_id = OLD.id
            UNION SELECT claim_id FROM claims_correction WHERE old_rating_id = OLD.id OR new_rating_id = OLD.id
        );
    ELSIF TG_TABLE_NAME = 'claims_ratingscale' THEN
        claim_ids := ARRAY(
            SELECT claim.id FROM claims_claim claim JOIN claims_rating rating ON rating.id = claim.rating_id
            WHERE rating.scale_id = OLD.id
        );
    ELSIF TG_TABLE_NAME = 'sources_source' THEN
        claim_ids := ARRAY(SELECT claim_id FROM claims_appearance WHERE source_id = OLD.id);
    ELSIF TG_TABLE_NAME = 'sources_outlet' THEN
        claim_ids := ARRAY(
            SELECT appearance.claim_id FROM claims_appearance appearance
            JOIN sources_source source ON source.id = appearance.source_id
            WHERE source.outlet_id = OLD.id
        );
    END IF;
    PERFORM FROM (SELECT id FROM claims_claim WHERE id = ANY(claim_ids) ORDER BY id FOR NO KEY UPDATE) locked;
    DELETE FROM claims_claimlistitem WHERE claim_id = ANY(claim_ids);
    RETURN NULL;
END
$$;
CREATE TRIGGER claims_appearance_forget_list_items AFTER INSERT OR UPDATE OR DELETE ON claims_appearance
    FOR EACH ROW EXECUTE FUNCTION claims_forget_list_items();
CREATE TRIGGER claims_correction_forget_list_items AFTER INSERT OR UPDATE OR DELETE ON claims_correction
    FOR EACH ROW EXECUTE FUNCTION claims_forget_list_items();
CREATE TRIGGER sources_source_forget_list_items AFTER UPDATE ON sources_source
    FOR EACH ROW EXECUTE FUNCTION claims_forget_list_items();
CREATE TRIGGER sources_outlet_forget_list_items AFTER UPDATE ON sources_outlet
    FOR EACH ROW EXECUTE FUNCTION claims_forget_list_items();
"""

# Back to migration 0009's function and triggers.
KEEP_STORED_JSON = f"""
DROP TRIGGER claims_appearance_forget_list_items ON claims_appearance;
DROP TRIGGER claims_correction_forget_list_items ON claims_correction;
DROP TRIGGER sources_source_forget_list_items ON sources_source;
DROP TRIGGER sources_outlet_forget_list_items ON sources_outlet;
{initial.KEEP_LIST_ITEMS}
{initial.FORGET_LIST_ITEMS}
"""


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0009_claim_list_item"),
        ("sources", "0004_source_published_index"),
    ]

    operations = [
        migrations.RunSQL("DELETE FROM claims_claimlistitem", migrations.RunSQL.noop),
        migrations.AddField(
            model_name="claimlistitem",
            name="detail",
            field=models.TextField(default=""),
            preserve_default=False,
        ),
        migrations.RunSQL(FORGET_STORED_JSON, KEEP_STORED_JSON),
    ]
