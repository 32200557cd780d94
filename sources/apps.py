from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = _("Quellen")

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy check)
