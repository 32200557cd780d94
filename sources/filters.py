"""One FilterSet per model, shared by the public pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from claims.search import clean_query, reader_query

from .models import Source


class SourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Suche"), help_text=_('Volltextsuche, z. B. "legitime Ziele" OR Kreml -Putin'))

    class Meta:
        model = Source
        fields = ["q"]

    def filter_q(self, queryset, name, value):
        """Articles matching `value` in web-search syntax, as the search page finds them (the list keeps its order)."""
        text = clean_query(value)
        return queryset.filter(search_vector=reader_query(text)) if text else queryset
