from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("Faktenchecks")

    def ready(self):
        from django.db.backends.signals import connection_created

        from config.prepared import use_generic_plans

        from . import cache  # noqa: F401
        from .api import lean

        cache.connect_signals()
        lean.connect_signals()
        connection_created.connect(use_generic_plans, dispatch_uid="use_generic_plans")
