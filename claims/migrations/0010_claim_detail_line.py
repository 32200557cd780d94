from django.db import migrations, models

# The stored row now also holds the detail line, which shows more than the list item:
# appearances with their sources and outlets, corrections with the ratings they changed, and
# the slug of the claim it duplicates. These triggers delete the row when any of those change,
# next to those of migration 0009, and lock the claims first as those do. Rows written before
# hold no detail line: they are dropped, and reads write them afresh until
# `manage.py store_api_list_items` stores them.
FORGET_DETAIL_LINES = """
CREATE FUNCTION claims_forget_stored_json(claim_ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- Lock first; the DELETE, a new statement, then sees what a transaction it waited for committed.
    PERFORM FROM (SELECT id FROM claims_claim WHERE id = ANY(claim_ids) ORDER BY id FOR NO KEY UPDATE) locked;
    DELETE FROM claims_claimlistitem WHERE claim_id = ANY(claim_ids);
END
$$;
CREATE FUNCTION claims_forget_detail_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    claim_ids bigint[];
BEGIN
    IF TG_TABLE_NAME = 'claims_claim' THEN
        claim_ids := ARRAY(SELECT id FROM claims_claim WHERE duplicate_of_id = OLD.id);
    ELSIF TG_TABLE_NAME IN ('claims_appearance', 'claims_correction') THEN
        -- OLD is NULL on INSERT, NEW on DELETE.
        claim_ids := ARRAY[OLD.claim_id, NEW.claim_id];
    ELSIF TG_TABLE_NAME = 'claims_rating' THEN
        claim_ids := ARRAY(SELECT claim_id FROM claims_correction WHERE OLD.id IN (old_rating_id, new_rating_id));
    ELSIF TG_TABLE_NAME = 'sources_source' THEN
        claim_ids := ARRAY(SELECT claim_id FROM claims_appearance WHERE source_id = OLD.id);
    ELSIF TG_TABLE_NAME = 'sources_outlet' THEN
        claim_ids := ARRAY(
            SELECT appearance.claim_id FROM claims_appearance appearance
            JOIN sources_source source ON source.id = appearance.source_id
            WHERE source.outlet_id = OLD.id
        );
    END IF;
    PERFORM claims_forget_stored_json(claim_ids);
    RETURN NULL;
END
$$;
"""

# (table, events, condition) of each trigger.
TRIGGERS = [
    ("claims_claim", "UPDATE", "WHEN (NEW.slug IS DISTINCT FROM OLD.slug)"),
    ("claims_appearance", "INSERT OR UPDATE OR DELETE", ""),
    ("claims_correction", "INSERT OR UPDATE OR DELETE", ""),
    ("claims_rating", "UPDATE", ""),
    ("sources_source", "UPDATE", ""),
    ("sources_outlet", "UPDATE", ""),
]
FORGET_DETAIL_LINES += "".join(
    f"CREATE TRIGGER {table}_forget_detail_lines AFTER {events} ON {table} FOR EACH ROW {condition} "
    "EXECUTE FUNCTION claims_forget_detail_lines();\n"
    for table, events, condition in TRIGGERS
)

KEEP_DETAIL_LINES = """
DROP FUNCTION claims_forget_detail_lines() CASCADE;
DROP FUNCTION claims_forget_stored_json(bigint[]);
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
        migrations.RunSQL(FORGET_DETAIL_LINES, KEEP_DETAIL_LINES),
    ]
