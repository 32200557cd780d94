from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

# German full-text search that ignores accents: "Selenskyj" and "Selénskyj", "Maßnahme"
# and "Massnahme" meet. The configuration is referenced by the generated search columns.
CREATE_CONFIG = """
CREATE TEXT SEARCH CONFIGURATION german_unaccent (COPY = german);
ALTER TEXT SEARCH CONFIGURATION german_unaccent
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, german_stem;
"""


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        migrations.RunSQL(CREATE_CONFIG, reverse_sql="DROP TEXT SEARCH CONFIGURATION IF EXISTS german_unaccent;"),
    ]
