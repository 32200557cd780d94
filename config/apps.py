from django.contrib.admin.apps import AdminConfig


class NewsroomAdminConfig(AdminConfig):
    """Django's admin with the newsroom site (optional TOTP second factor) as `admin.site`."""

    default_site = "config.admin.NewsroomAdminSite"

    def ready(self):
        super().ready()
        from django.contrib import admin
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from .otp_admin import TOTPDeviceAdmin

        admin.site.unregister(TOTPDevice)
        admin.site.register(TOTPDevice, TOTPDeviceAdmin)
