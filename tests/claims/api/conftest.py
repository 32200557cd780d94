import pytest
from rest_framework.test import APIClient

from claims.models import PartnerKey


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def partner_key(db):
    return PartnerKey.objects.create_key(name="Partnerredaktion")


@pytest.fixture
def partner_api(partner_key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {partner_key[1]}")
    return client


@pytest.fixture
def staff_api(editor):
    return login_with_csrf(editor)


def login_with_csrf(user) -> APIClient:
    """A client logged in as `user` that sends the CSRF token like the browser does."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/admin/")
    client.credentials(HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    return client
