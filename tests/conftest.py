import os

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

from claims import roles
from claims.cache import recent_pages
from claims.models import Rating

from . import factories

# In CI the property tests draw the same examples on every run: a build fails because of the
# change under test, not because this run happened to draw a new example. Local runs keep
# drawing new ones (and remember the failing ones in .hypothesis/).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() == "true":
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories create a user per claim; the production hasher's deliberate slowness only costs time here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_shared_page_cache(settings):
    """Tests see fresh pages; tests of the page cache itself switch it on with `page_cache`."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _fresh_validators(settings):
    """Every request reads the site version (and word statistics) afresh; `test_freshness_memo`
    and `test_lexeme_frequencies_are_reused_for_a_while` cover the remembered ones."""
    settings.PUBLIC_FRESHNESS_SECONDS = 0
    settings.LEXEME_FREQUENCIES_SECONDS = 0


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: request counts of the API's rate limits (and
    anything else kept there) never carry over from the tests before."""
    cache.clear()


@pytest.fixture
def page_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    recent_pages.forget()  # the shared cache starts empty for every test (`_empty_cache`)
    yield
    cache.clear()
    recent_pages.forget()


@pytest.fixture
def rating(db):
    return Rating.objects.get(scale__is_default=True, slug="falsch")


@pytest.fixture
def other_rating(db):
    return Rating.objects.get(scale__is_default=True, slug="richtig")


def _member(group_name, **kwargs):
    user = factories.UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def reporter(db):
    return _member(roles.REPORTER, username="reporter")


@pytest.fixture
def editor(db):
    return _member(roles.EDITOR, username="editor")


@pytest.fixture
def publisher(db):
    return _member(roles.PUBLISHER, username="publisher")
