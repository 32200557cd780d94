from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("Faktenchecks")

    def ready(self):
        from . import cache

        cache.connect_signals()
