"""Project-wide API behaviour: every error is JSON with a readable message."""

import json
import re
from base64 import b64decode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, filters, negotiation, parsers
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
        response.data = {"detail": _("Ungültige Eingabe."), "errors": response.data}
    elif response is not None and isinstance(response.data, list):
        response.data = {"detail": " ".join(str(item) for item in response.data), "errors": response.data}
    return response


class ContentNegotiation(negotiation.DefaultContentNegotiation):
    """DRF's; an unknown `?format=` is a 406 naming the formats there are (DRF answers 404, as if nothing were there)."""

    def filter_renderers(self, renderers, format):
        found = [renderer for renderer in renderers if renderer.format == format]
        if not found:
            choices = ", ".join(dict.fromkeys(renderer.format for renderer in renderers))
            message = _("Unbekanntes Format „%(value)s“; möglich: %(choices)s.")
            raise exceptions.NotAcceptable(message % {"value": format[:50], "choices": choices})
        return found


class OrderingFilter(filters.OrderingFilter):
    """DRF's ordering filter; an unknown field is a 400 naming the allowed ones (DRF drops it silently)."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        if len(valid) != len(fields):
            allowed = [name for name, _label in self.get_valid_fields(queryset, view, {"request": request})]
            unknown = next(term for term in fields if term not in valid)
            choices = ", ".join(f"{name}, -{name}" for name in allowed)
            raise exceptions.ValidationError(
                {
                    self.ordering_param: [
                        _("Unbekannte Sortierung „%(value)s“; möglich: %(choices)s.") % {"value": unknown[:50], "choices": choices}
                    ]
                }
            )
        return valid


class StableCursorPagination(CursorPagination):
    """Cursor pages: stable while claims are added, and no COUNT(*) however large the table.

    Keyset pagination on (first ordering field, `id`): a cursor holds both values of the
    item it continues from ("2025-09-04 10:15:00+00:00|42"), and the next page starts right
    after that pair. DRF's own cursor holds only the first field and skips equal values by an
    offset, which loses or repeats items when many share a value (encode/django-rest-framework#7709).
    An `ordering` chosen through the view's OrderingFilter (e.g. `updated_at` for incremental
    sync) replaces the default; `id` breaks ties in the same direction.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = _("Ungültiger Cursor: bitte die Links „next“/„previous“ unverändert verwenden.")

    def get_page_size(self, request):
        # DRF falls back to the default for "abc", 0 or -5; a partner's typo should not go unnoticed.
        value = request.query_params.get(self.page_size_query_param, "")
        if value and not (re.fullmatch(r"[0-9]{1,9}", value) and int(value) >= 1):
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        _("Eine ganze Zahl ab 1 (höchstens %(max)s Einträge je Seite).") % {"max": self.max_page_size}
                    ]
                }
            )
        return super().get_page_size(request)

    def decode_cursor(self, request):
        # DRF decodes leniently: base64 drops characters outside its alphabet, so "%00" or "!!!!"
        # decoded to nothing and silently answered the first page. An empty `cursor=` still does.
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded:
            try:
                decoded = b64decode(encoded.encode("ascii"), validate=True)
            except ValueError:  # binascii.Error and UnicodeEncodeError
                raise exceptions.NotFound(self.invalid_cursor_message) from None
            if not decoded:
                raise exceptions.NotFound(self.invalid_cursor_message)
        cursor = super().decode_cursor(request) if encoded else None
        # PostgreSQL takes no NUL in a string: such a position names no item (a name-ordered list compares text).
        if cursor is not None and cursor.position is not None and "\x00" in cursor.position:
            raise exceptions.NotFound(self.invalid_cursor_message)
        return cursor

    def get_ordering(self, request, queryset, view):
        first = super().get_ordering(request, queryset, view)[0]
        if first.lstrip("-") == "id":
            return (first,)
        return (first, "-id" if first.startswith("-") else "id")

    def _get_position_from_instance(self, instance, ordering):
        field = ordering[0].lstrip("-")
        if isinstance(instance, dict):
            # Lean pages read the value as text (`position`): parsing a timestamp per row costs more.
            value, pk = instance.get("position", instance.get(field)), instance["id"]
        else:
            value, pk = getattr(instance, field), instance.pk
        return str(value) if field == "id" else f"{value}|{pk}"

    def _after(self, position: str, *, descending: bool) -> Q:
        """Items after `position` in the order of the query (descending or ascending)."""
        field = self.ordering[0].lstrip("-")
        lookup = "lt" if descending else "gt"
        if field == "id":
            return Q(**{f"id__{lookup}": position})
        value, separator, pk = position.rpartition("|")
        if not separator:  # a cursor from before keyset positions: the value alone, as DRF did
            return Q(**{f"{field}__{lookup}": position})
        try:
            pk = int(pk)
        except ValueError:
            raise exceptions.NotFound(self.invalid_cursor_message) from None
        # The redundant bound on the field alone lets PostgreSQL range-scan its index.
        return Q(**{f"{field}__{lookup}e": value}) & (Q(**{f"{field}__{lookup}": value}) | Q(**{field: value, f"id__{lookup}": pk}))

    def page_queryset(self, queryset, ordering: tuple, position: str | None, *, descending: bool, offset: int):
        """The page's items and one more: `queryset` in `ordering`, after `position` (or from the start)."""
        queryset = queryset.order_by(*ordering)
        if position is not None:
            queryset = queryset.filter(self._after(position, descending=descending))
        return queryset[offset : offset + self.page_size + 1]

    def fetch_page(self, queryset, ordering: tuple, position: str | None, *, descending: bool, offset: int) -> list:
        return list(self.page_queryset(queryset, ordering, position, descending=descending, offset=offset))

    def paginate_queryset(self, queryset, request, view=None):
        # DRF's CursorPagination.paginate_queryset, with the keyset filter of `_after`.
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.cursor = self.decode_cursor(request)
        offset, reverse, current_position = self.cursor if self.cursor is not None else (0, False, None)
        descending = self.ordering[0].startswith("-")
        flipped = tuple(field[1:] if field.startswith("-") else f"-{field}" for field in self.ordering)
        try:
            results = self.fetch_page(
                queryset, flipped if reverse else self.ordering, current_position, descending=descending != reverse, offset=offset
            )
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            raise exceptions.NotFound(self.invalid_cursor_message) from None
        self.page = results[: self.page_size]
        has_following_position = len(results) > len(self.page)
        following_position = self._get_position_from_instance(results[-1], self.ordering) if has_following_position else None
        if reverse:
            self.page.reverse()
            self.has_next = current_position is not None or offset > 0
            self.has_previous = has_following_position
            if self.has_next:
                self.next_position = current_position
            if self.has_previous:
                self.previous_position = following_position
        else:
            self.has_next = has_following_position
            self.has_previous = current_position is not None or offset > 0
            if self.has_next:
                self.next_position = following_position
            if self.has_previous:
                self.previous_position = current_position
        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True
        return self.page


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
        conditional = get_conditional_response(request, etag=response.get("ETag"), response=response)
        if conditional.status_code == 412:  # Django's is an empty text/html page: the API answers in JSON
            return JsonResponse({"detail": str(_("Die Vorbedingung (If-Match/If-Unmodified-Since) ist nicht erfüllt."))}, status=412)
        return conditional


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; absurdly nested input is a 400 like any other malformed JSON, not a crash."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type=media_type, parser_context=parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("Ungültiges JSON: zu tief verschachtelt.")) from None
        except exceptions.ParseError as error:
            # DRF passes on Python's English message ("JSON parse error - Expecting value…"); say where instead.
            cause = error.__context__
            if isinstance(cause, json.JSONDecodeError):
                raise exceptions.ParseError(
                    _("Ungültiges JSON in Zeile %(line)s, Spalte %(column)s.") % {"line": cause.lineno, "column": cause.colno}
                ) from None
            if isinstance(cause, UnicodeDecodeError):
                raise exceptions.ParseError(_("Ungültiges JSON: der Inhalt ist nicht UTF-8-kodiert.")) from None
            if isinstance(cause, ValueError):  # NaN/Infinity (strict parsing) or Python's limit on integer digits
                raise exceptions.ParseError(
                    _("Ungültiges JSON: NaN, Infinity und Zahlen mit mehr als 4300 Stellen sind nicht erlaubt.")
                ) from None
            raise
