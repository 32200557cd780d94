"""The API's filter backend."""

from django_filters.rest_framework import DjangoFilterBackend


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the request names none of the filters.

    A FilterSet without data filters nothing but still builds and validates its form; on a
    list read many times a second by partners syncing pages that is most of the work.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            # Widgets of several inputs name theirs with a suffix (`…_min`, `…_after`).
            key == name or key.startswith(f"{name}_")
            for key in request.query_params
            for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
