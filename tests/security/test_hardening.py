"""Production hardening: deploy checks, security headers, cookies, login throttling, 2FA, keys, secrets."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework_api_key.models import AbstractAPIKey

from claims import roles
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "geheim-passwort-123"


def test_deploy_check_is_clean_with_production_environment():
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY="deploy-check-" + "k3y" * 20,
        DJANGO_ALLOWED_HOSTS="faktencheck.example.org",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://u@localhost/db"),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_public_page_sends_strict_security_headers(client):
    factories.ClaimFactory()
    response = client.get("/", secure=True)
    assert response.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip())
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_admin_allows_inline_styles_but_never_inline_scripts(client):
    policy = client.get("/admin/login/")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy + ";"


def test_templates_contain_no_inline_script_or_event_handler():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text, re.IGNORECASE) and 'type="application/ld+json"' not in text:
            offenders.append(f"{template}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text, re.IGNORECASE):
            offenders.append(f"{template}: event handler attribute")
        if "javascript:" in text.lower():
            offenders.append(f"{template}: javascript: URL")
    assert not offenders


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_and_http_only(client, editor):
    response = client.post("/admin/login/?next=/admin/", {"username": editor.username, "password": PASSWORD}, secure=True)
    assert response.status_code == 302, response.content.decode()[:500]
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    csrf = client.get("/admin/login/", secure=True).cookies.get("csrftoken") or response.cookies.get("csrftoken")
    if csrf is not None:
        assert csrf["secure"] and csrf["httponly"]


@pytest.mark.django_db
def test_admin_login_is_locked_after_five_failed_attempts(client, editor):
    for _ in range(5):
        response = client.post("/admin/login/", {"username": editor.username, "password": "falsch"})
        assert response.status_code in (200, 429)
    response = client.post("/admin/login/?next=/admin/", {"username": editor.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.fixture
def staff_with_totp(db):
    user = factories.UserFactory(username="zweifaktor", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.EDITOR))
    device = TOTPDevice.objects.create(user=user, name="Telefon", confirmed=True)
    return user, device


def _login(client, user, **extra):
    return client.post("/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD, **extra})


@pytest.mark.django_db
def test_staff_without_totp_device_log_in_with_password_only(client, editor):
    response = _login(client, editor)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_staff_with_totp_device_need_the_current_code(client, staff_with_totp):
    user, device = staff_with_totp
    response = _login(client, user)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    response = _login(client, user, otp_token="000000" if totp(device.bin_key) != 0 else "111111")
    assert "_auth_user_id" not in client.session
    # A wrong code throttles the device (django-otp backs off exponentially); reset for the test.
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttle_reset()
    response = _login(client, user, otp_token=f"{totp(device.bin_key):06d}")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_session_not_verified_by_totp_does_not_get_into_the_admin(client, staff_with_totp):
    user, _ = staff_with_totp
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_unknown_totp_device_is_404_not_server_error(admin_client):
    assert admin_client.get("/admin/otp_totp/totpdevice/999999/config/").status_code == 404
    assert admin_client.get("/admin/otp_totp/totpdevice/999999/qrcode/").status_code == 404


@pytest.mark.django_db
def test_api_keys_are_stored_only_as_hashes():
    key_models = [model for model in apps.get_models() if issubclass(model, AbstractAPIKey)]
    assert key_models
    for model in key_models:
        obj, key = model.objects.create_key(name="Partner")
        stored = [str(value) for value in model.objects.filter(pk=obj.pk).values().get().values()]
        secret = key.split(".", 1)[1]
        assert not any(secret in value for value in stored), model
        assert model.objects.get_from_key(key) == obj


SECRET_PATTERNS = [
    re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"),
    re.compile(r"AKIA[0-9A-Z]{16}"),
    re.compile(r"gh[pousr]_[A-Za-z0-9]{36}"),
    re.compile(r"xox[baprs]-[A-Za-z0-9-]{10,}"),
    re.compile(r"sk_live_[A-Za-z0-9]{20,}"),
    re.compile(r"""SECRET_KEY\s*=\s*["'][^"']{20,}["']"""),
    re.compile(r"postgres(?:ql)?://[^:/\s]+:(?!password@|\$|\{)[^@\s]{6,}@"),
]


def test_repository_contains_no_secrets():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert ".env" not in files
    findings = []
    for name in files:
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        text = path.read_text(errors="ignore")
        findings += [f"{name}: {pattern.pattern}" for pattern in SECRET_PATTERNS if pattern.search(text)]
    assert not findings
    # The patterns do find a secret (samples split so this file does not contain one).
    assert SECRET_PATTERNS[0].search("-----BEGIN RSA " + "PRIVATE KEY-----")
    assert SECRET_PATTERNS[-1].search("postgres://app:" + "hunter2secret@db/app")


def test_content_security_policy_is_built_once_and_follows_decorators_and_settings(settings):
    from csp.constants import HEADER
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    from config.security import ContentSecurityPolicyMiddleware

    requests = RequestFactory()
    responses = iter([HttpResponse() for _ in range(3)])
    middleware = ContentSecurityPolicyMiddleware(lambda request: next(responses))
    first, second = middleware(requests.get("/")), middleware(requests.get("/faktenchecks/"))
    # The same header django-csp itself writes from the settings, every time.
    assert first[HEADER] == second[HEADER] == CSPMiddleware(lambda request: HttpResponse())(requests.get("/"))[HEADER]
    assert "'unsafe-inline'" in middleware(requests.get("/admin/login/"))[HEADER]

    decorated = HttpResponse()
    decorated._csp_update = {"img-src": ["https://bilder.example.org"]}
    assert "https://bilder.example.org" in ContentSecurityPolicyMiddleware(lambda request: decorated)(requests.get("/"))[HEADER]
    exempt = HttpResponse()
    exempt._csp_exempt = True
    assert HEADER not in ContentSecurityPolicyMiddleware(lambda request: exempt)(requests.get("/"))

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": ["'none'"]}}
    middleware.get_response = lambda request: HttpResponse()
    assert "img-src 'none'" in middleware(requests.get("/"))[HEADER]


@pytest.mark.django_db
def test_behind_the_proxy_the_lockout_counts_the_client_address_the_proxy_appended(client, editor):
    """Everybody reaches the site through the proxy (one REMOTE_ADDR): failed logins from one
    client lock that client out, not the editor working from another address."""
    attacker = {"HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.66"}
    for _ in range(5):
        client.post("/admin/login/", {"username": editor.username, "password": "falsch"}, **attacker)
    assert client.post("/admin/login/?next=/admin/", {"username": editor.username, "password": PASSWORD}, **attacker).status_code == 429
    # A made-up first address does not help the attacker: the proxy's entry is counted.
    spoofed = {"HTTP_X_FORWARDED_FOR": "192.0.2.1, 203.0.113.66"}
    assert client.post("/admin/login/?next=/admin/", {"username": editor.username, "password": PASSWORD}, **spoofed).status_code == 429
    response = client.post(
        "/admin/login/?next=/admin/", {"username": editor.username, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


@pytest.mark.django_db
def test_a_form_sent_without_its_csrf_token_is_refused_in_the_newsrooms_language(editor):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": editor.username, "password": PASSWORD})
    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="de">' in page and "Formular nicht angenommen" in page and "CSRF verification failed" not in page
    # The admin speaks German whatever language the reader chose on the public site.
    client.cookies["django_language"] = "en"
    assert "Formular nicht angenommen" in client.post("/admin/login/", {"username": editor.username, "password": "x"}).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("forwarded", "counted"), [("kein-ip", "127.0.0.1"), ("203.0.113.5:4711", "203.0.113.5"), ("[2001:db8::7]:443", "2001:db8::7")]
)
def test_a_forwarded_for_entry_that_is_no_bare_address_does_not_break_the_login(editor, forwarded, counted):
    """The lockout stores the client address in an address column: a port or text there failed every wrong login."""
    from axes.models import AccessAttempt

    client = Client(REMOTE_ADDR="127.0.0.1")
    response = client.post("/admin/login/", {"username": editor.username, "password": "falsch"}, HTTP_X_FORWARDED_FOR=forwarded)
    assert response.status_code == 200
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [counted]
