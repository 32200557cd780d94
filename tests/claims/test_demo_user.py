import pytest
from django.core.management import call_command

from claims import roles

pytestmark = pytest.mark.django_db


def test_demo_editor_can_sign_in_and_is_told_where(client, capsys):
    call_command("create_demo_user", "--site", "http://127.0.0.1:8765/")
    printed = capsys.readouterr().out
    assert "Benutzername „redaktion“, Passwort „faktencheck-demo“" in printed
    assert "http://127.0.0.1:8765/admin/" in printed
    response = client.post("/admin/login/", {"username": "redaktion", "password": "faktencheck-demo", "next": "/admin/"})
    assert response.status_code == 302
    user = client.get("/admin/").wsgi_request.user
    assert user.is_staff and {roles.REPORTER, roles.EDITOR, roles.PUBLISHER} <= set(user.groups.values_list("name", flat=True))
    # A second person approves and publishes the first one's claims (four eyes).
    assert "Benutzername „kollegin“, Passwort „faktencheck-demo“" in printed
    client.logout()
    assert client.post("/admin/login/", {"username": "kollegin", "password": "faktencheck-demo", "next": "/admin/"}).status_code == 302
    colleague = client.get("/admin/").wsgi_request.user
    assert colleague.has_perm("claims.review_claim") and colleague.has_perm("claims.publish_claim")
    # Run again (make run on every start): the account is updated, not duplicated.
    call_command("create_demo_user")
    assert "aktualisiert" in capsys.readouterr().out
