"""Similar-claim matching stays usable when the archive has hundreds of common words."""

from claims.models import Claim
from claims.search import Probe, similar_candidates
from tests import factories


def test_similar_candidates_compile_with_a_thousand_common_lexemes(db):
    claim = factories.ClaimFactory(text="Die Energiepreise sind um 40 Prozent gestiegen")
    frequencies = {f"wort{number}": 0.5 for number in range(1000)}
    probed = Probe(members={"energiepreis": {"energiepreis"}, "gestieg": {"gestieg"}}, weights={}, frequencies=frequencies)
    probed.weights.update({concept: probed.concept_weight(concept) for concept in probed.members})
    matches = list(similar_candidates(claim.text, queryset=Claim.objects.published(), probed=probed))
    assert [match.pk for match in matches] == [claim.pk]
    assert probed.overlap(matches[0].lexemes) > 0.5
