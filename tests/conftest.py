import pytest
from django.contrib.auth.models import Group

from claims import roles
from claims.models import Rating

from . import factories


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
