"""Project-wide API behaviour: every error is JSON with a readable message."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers
from rest_framework.pagination import CursorPagination
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        # Django's message names the model ("No Claim matches…"); a plain 404 reveals nothing.
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": "Ungültige Eingabe.", "errors": response.data}
    elif response is not None and isinstance(response.data, list):
        response.data = {"detail": " ".join(str(item) for item in response.data), "errors": response.data}
    return response


class StableCursorPagination(CursorPagination):
    """Cursor pages: stable while claims are added, and no COUNT(*) however large the table.

    The cursor holds the position on the first ordering field; `id` breaks ties in the same
    direction so equal timestamps come in a fixed order. An `ordering` chosen through the
    view's OrderingFilter (e.g. `updated_at` for incremental sync) replaces the default.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = _("Ungültiger Cursor: bitte die Links „next“/„previous“ unverändert verwenden.")

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view))
        tie_breaker = "-id" if ordering[0].startswith("-") else "id"
        if tie_breaker.lstrip("-") not in {field.lstrip("-") for field in ordering}:
            ordering.append(tie_breaker)
        return tuple(ordering)


class ConditionalGetMixin:
    """ETag on every successful read; `If-None-Match` with the current ETag answers 304 without a body.

    The ETag is a hash of the rendered body, so it differs between an editor's preview and the
    public version and changes with every correction.
    """

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.streaming:
            return response
        response.render()
        set_response_etag(response)
        patch_vary_headers(response, ["Authorization", "Cookie"])
        return get_conditional_response(request, etag=response.get("ETag"), response=response)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; absurdly nested input is a 400 like any other malformed JSON, not a crash."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type=media_type, parser_context=parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("Ungültiges JSON: zu tief verschachtelt.")) from None
