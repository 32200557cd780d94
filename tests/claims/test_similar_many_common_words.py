"""Similar-claim matching stays usable when the archive has hundreds of common words."""

from claims.models import Claim
from claims.search import Probe, similar_candidates
from tests import factories


def test_similar_candidates_compile_with_a_thousand_common_lexemes(db):
    claim = factories.ClaimFactory(text="Die Energiepreise sind um 40 Prozent gestiegen")
    common = {f"wort{number}": 0.5 for number in range(1000)}
    probed = Probe(concepts=(("energiepreis",), ("gestieg",)), weights=(1.0, 1.0), total_weight=2.0, common=common)
    matches = list(similar_candidates(claim.text, queryset=Claim.objects.published(), probed=probed))
    assert [match.pk for match in matches] == [claim.pk]
    assert matches[0].score > 0.9
