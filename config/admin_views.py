"""Admin views the newsroom's admin site uses in place of Django's own."""

from django.contrib.admin.views.autocomplete import AutocompleteJsonView


class AutocompleteView(AutocompleteJsonView):
    """The admin's autocomplete, with NUL bytes removed from the typed text.

    PostgreSQL takes no NUL in a string; the changelist search refuses them in its form, the
    autocomplete passed them on to the database and failed.
    """

    def process_request(self, request):
        term, *rest = super().process_request(request)
        return (term.replace("\x00", ""), *rest)
