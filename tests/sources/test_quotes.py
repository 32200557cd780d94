import pytest
from django.core.exceptions import ValidationError

from claims.models import Appearance
from sources.quotes import find_quote
from tests.factories import ClaimFactory, SourceFactory

TEXT = "Peskow sagte: „Wir betrachten dies als\neine  Gefahr für uns.“ Danach nichts."


def test_quote_found_with_different_whitespace_and_quote_marks():
    anchor = find_quote(TEXT, '"Wir betrachten dies als eine Gefahr für uns."')
    assert anchor is not None
    assert TEXT[anchor.start : anchor.end] == "Wir betrachten dies als\neine  Gefahr für uns."


def test_quote_offsets_point_into_original_text():
    anchor = find_quote(TEXT, "Danach nichts.")
    assert (anchor.start, anchor.end) == (TEXT.index("Danach"), len(TEXT))


def test_quote_with_changed_wording_is_not_found():
    assert find_quote(TEXT, "Wir betrachten das als eine Gefahr") is None


def test_empty_quote_is_not_found():
    assert find_quote(TEXT, '  " "  ') is None


@pytest.mark.django_db
def test_appearance_stores_offsets_of_quote():
    source = SourceFactory(body="Erster Satz. Die Zahl liegt bei 42 Prozent. Letzter Satz.")
    appearance = Appearance(claim=ClaimFactory(), source=source, quote="Die Zahl liegt bei 42 Prozent.")
    appearance.full_clean(exclude=["start", "end"])
    appearance.save()
    assert source.body[appearance.start : appearance.end] == "Die Zahl liegt bei 42 Prozent."
    assert appearance.exact_quote == "Die Zahl liegt bei 42 Prozent."


@pytest.mark.django_db
def test_quote_not_in_article_is_rejected_with_clear_message():
    source = SourceFactory(title="Energiedebatte", body="Erster Satz. Die Zahl liegt bei 42 Prozent.")
    appearance = Appearance(claim=ClaimFactory(), source=source, quote="Die Zahl liegt bei 43 Prozent.")
    with pytest.raises(ValidationError) as error:
        appearance.full_clean()
    assert error.value.message_dict["quote"] == [
        "Das Zitat steht nicht im Text von „Energiedebatte“. Bitte wörtlich aus dem Artikel kopieren."
    ]
    assert not Appearance.objects.exists()
