"""The newsroom admin site: password login, plus a TOTP code for staff who set one up.

The second factor is optional per person and enforced once a person has a confirmed
TOTP device (added under "TOTP devices" in the admin, scanned with any authenticator app):
the login then needs the current code, and a session that was not verified by it does not
get into the admin.
"""

from django import forms
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_otp.forms import OTPAuthenticationFormMixin


class OptionalOTPAuthenticationForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    otp_device = forms.CharField(required=False, widget=forms.Select)
    otp_token = forms.CharField(
        label=_("Einmalcode"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("Nur wenn für Ihr Konto eine Zwei-Faktor-App eingerichtet ist: der aktuelle sechsstellige Code."),
    )
    otp_challenge = forms.CharField(required=False)

    def _chosen_device(self, user):
        """The login form asks for a code, not a device: use the person's TOTP device."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = super()._chosen_device(user)
        if device is None:
            device = TOTPDevice.objects.devices_for_user(user, confirmed=True).select_for_update().order_by("pk").first()
        return device

    def clean(self):
        cleaned_data = super().clean()
        user = self.get_user()
        if user is not None and user_has_device(user, confirmed=True):
            self.clean_otp(user)
        return cleaned_data


class NewsroomAdminSite(AdminSite):
    login_form = OptionalOTPAuthenticationForm
    login_template = "admin/login_otp.html"

    def has_permission(self, request):
        """Staff with a confirmed device must have passed it in this session."""
        if not super().has_permission(request):
            return False
        user = request.user
        return user.is_verified() or not user_has_device(user, confirmed=True)

    def get_urls(self):
        urls = super().get_urls()
        guarded = path("r/<int:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site), name="view_on_site")
        return [guarded if getattr(url, "name", None) == "view_on_site" else url for url in urls]

    def view_on_site(self, request, content_type_id, object_id):
        """Django's "view on site" redirect, only for objects the user may view in the admin.

        The plain shortcut redirects any staff member to any object's URL, which would reveal
        the address (and so the wording) of a colleague's unpublished claim.
        """
        model = get_object_or_404(ContentType, pk=content_type_id).model_class()
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            raise Http404
        return shortcut(request, content_type_id, object_id)
