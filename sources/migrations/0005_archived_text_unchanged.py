from django.db import migrations

# Quotes are anchored in the archived text: a changed article is a new version. `Source.save()`
# explains this to editors; the trigger also stops bulk updates (`QuerySet.update()`) and psql.
KEEP_ARCHIVED_TEXT = """
CREATE FUNCTION sources_keep_archived_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Text und Original einer archivierten Quelle können nicht geändert werden (Quelle %).', OLD.id
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'Eine geänderte Fassung wird als neue Quelle importiert.';
END
$$;
CREATE TRIGGER sources_source_keep_archived_text BEFORE UPDATE OF body, raw ON sources_source
    FOR EACH ROW WHEN (OLD.body IS DISTINCT FROM NEW.body OR OLD.raw IS DISTINCT FROM NEW.raw)
    EXECUTE FUNCTION sources_keep_archived_text();
"""

ALLOW_CHANGES = """
DROP TRIGGER sources_source_keep_archived_text ON sources_source;
DROP FUNCTION sources_keep_archived_text();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0004_source_published_index"),
    ]

    operations = [migrations.RunSQL(KEEP_ARCHIVED_TEXT, ALLOW_CHANGES)]
