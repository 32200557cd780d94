"""The newsroom works in German: the admin speaks it whatever the browser or the public site's language choice say."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject


class AdminInSiteLanguageMiddleware:
    """After `LocaleMiddleware`: requests to the admin get `LANGUAGE_CODE` (German). Its help
    texts, the editors' manual, are written in German; with an English browser or after a
    reader switched the public site to English, Django's own labels came out in English among them."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = SimpleLazyObject(lambda: reverse("admin:index"))

    def __call__(self, request):
        if request.path_info.startswith(str(self.prefix)):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)
