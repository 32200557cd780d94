from django.db import migrations

# A German scale in the style of the major German fact-checking desks. Stored as data:
# the newsroom edits labels, colours and definitions in the admin.
SCALE = {"name": "Faktencheck-Skala", "slug": "faktencheck", "best_value": 5, "worst_value": 1, "is_default": True,
         "description": "Jede Behauptung wird nur auf Grundlage überprüfbarer Quellen bewertet. Die Bewertung bezieht sich auf die Behauptung, nicht auf die Person."}
RATINGS = [
    ("richtig", "Richtig", "True", 5, "#1e7b34", "Die Behauptung ist korrekt; die Quellen belegen sie.", "The claim is accurate and supported by the sources."),
    ("groesstenteils-richtig", "Größtenteils richtig", "Mostly true", 4, "#4d7d1e", "Die Behauptung stimmt im Kern, ist aber in Details ungenau.", "The claim is accurate at its core but imprecise in details."),
    ("fehlender-kontext", "Fehlender Kontext", "Missing context", 3, "#8a5a00", "Die Behauptung ist für sich genommen nicht falsch, lässt aber wesentliche Umstände weg und kann so in die Irre führen.", "The claim is not false in itself but omits essential context and may mislead."),
    ("teilweise-falsch", "Teilweise falsch", "Partly false", 2, "#b3470e", "Die Behauptung enthält richtige und falsche Teile.", "The claim mixes accurate and false elements."),
    ("falsch", "Falsch", "False", 1, "#b0231b", "Die Behauptung ist nachweislich falsch.", "The claim is demonstrably false."),
    ("unbelegt", "Unbelegt", "Unproven", 3, "#4f5b66", "Für die Behauptung gibt es keine ausreichenden Belege, oder die Quellen widersprechen sich.", "There is not enough evidence for the claim, or the sources contradict each other."),
]


def create_scale(apps, schema_editor):
    RatingScale = apps.get_model("claims", "RatingScale")
    Rating = apps.get_model("claims", "Rating")
    scale, _ = RatingScale.objects.get_or_create(slug=SCALE["slug"], defaults=SCALE)
    for order, (slug, label, label_en, value, colour, definition, definition_en) in enumerate(RATINGS):
        Rating.objects.get_or_create(
            scale=scale, slug=slug,
            defaults={"label": label, "label_en": label_en, "value": value, "colour": colour,
                      "definition": definition, "definition_en": definition_en, "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_roles")]
    operations = [migrations.RunPython(create_scale, migrations.RunPython.noop)]
