"""The URLs pages print are reversed once: the same as reversing them every time."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from config.links import fixed_url, slug_url


@pytest.fixture
def script_prefix():
    yield set_script_prefix
    set_script_prefix("/")


@pytest.mark.parametrize("slug", ["windkraft-liefert-42-prozent", "a", "Gross_und-klein-7"])
def test_slug_urls_are_those_reverse_writes(slug, script_prefix):
    for prefix in ("/", "/faktencheck/"):
        script_prefix(prefix)
        for name in ("claims:claim-detail", "claims:claimant-detail", "sources:source-detail"):
            assert slug_url(name, slug) == reverse(name, kwargs={"slug": slug})
        assert fixed_url("claims:ratings") == reverse("claims:ratings")
    assert slug_url("claims:claim-detail", slug).startswith("/faktencheck/")


@pytest.mark.parametrize("slug", ["", "mit leerzeichen", "ümlaut", "a/b"])
def test_a_slug_the_url_refuses_is_refused(slug):
    with pytest.raises(NoReverseMatch):
        slug_url("claims:claim-detail", slug)
