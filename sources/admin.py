from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .checkworthy import short_claim_text, suggest_for_source
from .forms import ImportForm, SourceAdminForm
from .ingest import IngestError, import_source
from .models import Outlet, Source


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "domain"]
    search_fields = ["name", "domain"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceAdminForm
    list_display = ["title", "outlet", "agency", "published_at", "imported_at", "is_latest"]
    list_filter = ["outlet", "agency", "language", "is_latest", ("published_at", admin.DateFieldListFilter)]
    search_fields = ["title", "body", "url", "author"]
    autocomplete_fields = ["outlet"]
    # An address typed without a scheme is taken as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    readonly_fields = [
        "content_hash",
        "raw_hash",
        "imported_at",
        "raw_content_type",
        "slug",
        "checkworthy_link",
        "original_link",
        "versions",
    ]
    date_hierarchy = "imported_at"
    list_select_related = ["outlet"]
    fieldsets = [
        (None, {"fields": ["title", "url", "outlet", "agency", "author", "published_at", "language", "checkworthy_link"]}),
        (_("Text"), {"fields": ["teaser", "body"]}),
        (_("Archiv"), {"fields": ["slug", "content_hash", "raw_hash", "imported_at", "raw_content_type", "original_link", "versions"]}),
    ]

    def view_on_site(self, obj):
        """The public page of an article a public claim quotes; others have none (the link would end in 404)."""
        return obj.get_absolute_url() if Source.objects.public().filter(pk=obj.pk).exists() else None

    def get_readonly_fields(self, request, obj=None):
        # The archived text is immutable once stored: quotes are anchored in it.
        if obj is not None:
            return [*self.readonly_fields, "body", "teaser", "url"]
        return self.readonly_fields

    def get_urls(self):
        view = self.admin_site.admin_view(self.checkworthy_view)
        return [
            path("importieren/", self.admin_site.admin_view(self.import_view), name="sources_source_import"),
            path("<int:pk>/pruefwuerdig/", view, name="sources_source_checkworthy"),
            path("<int:pk>/original/", self.admin_site.admin_view(self.original_view), name="sources_source_original"),
            *super().get_urls(),
        ]

    @admin.display(description=_("Prüfwürdige Sätze"))
    def checkworthy_link(self, obj):
        if obj is None or not obj.pk:
            return _("Nach dem Speichern verfügbar.")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:sources_source_checkworthy", args=[obj.pk]),
            _("Sätze anzeigen, die sich für einen Faktencheck anbieten"),
        )

    @admin.display(description=_("Original"))
    def original_link(self, obj):
        if obj is None or not obj.pk or not obj.raw:
            return "–"
        return format_html(
            '<a href="{}">{}</a> ({} Bytes, {})',
            reverse("admin:sources_source_original", args=[obj.pk]),
            _("Original herunterladen"),
            len(obj.raw),
            obj.raw_content_type,
        )

    @admin.display(description=_("Fassungen"))
    def versions(self, obj):
        """Links to the previous and the next version of a changed article."""
        if obj is None or not obj.pk:
            return "–"
        links = []
        if obj.previous_version_id:
            links.append((_("Vorherige Fassung"), obj.previous_version))
        following = Source.objects.filter(previous_version=obj).first()
        if following:
            links.append((_("Neuere Fassung"), following))
        if not links:
            return _("Einzige Fassung")
        rows = []
        for label, source in links:
            imported = date_format(localtime(source.imported_at), "SHORT_DATETIME_FORMAT")
            rows.append((label, reverse("admin:sources_source_change", args=[source.pk]), _("importiert %(date)s") % {"date": imported}))
        return format_html_join(" · ", '{}: <a href="{}">{}</a>', rows)

    def original_view(self, request, pk):
        """The archived bytes exactly as imported, as a download: never rendered in the admin's origin."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        source = get_object_or_404(Source, pk=pk)
        extension = "html" if "html" in source.raw_content_type else "txt"
        response = HttpResponse(bytes(source.raw), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{source.slug}.{extension}"'
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        response["X-Content-SHA256"] = source.raw_hash
        return response

    def checkworthy_view(self, request, pk):
        """Sentences of the article a fact-checker would likely check, each with a pre-filled 'new claim' link."""
        source = get_object_or_404(Source, pk=pk)
        if not self.has_view_or_change_permission(request, source):
            raise PermissionDenied
        from claims.models import SHORT_CLAIM_LENGTH, Claim

        can_add = request.user.has_perm("claims.add_claim")
        add_url = reverse("admin:claims_claim_add")
        rows = []
        for suggestion in suggest_for_source(source):
            params = {
                "text": short_claim_text(suggestion.text, SHORT_CLAIM_LENGTH),
                "text_long": suggestion.text,
                "language": source.language,
                "appearance_source": source.pk,
                "appearance_quote": suggestion.text,
            }
            if suggestion.claimant is not None:
                params["claimant"] = suggestion.claimant.pk
            rows.append({"suggestion": suggestion, "create_url": f"{add_url}?{urlencode(params)}" if can_add else ""})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "claim_opts": Claim._meta,
            "title": _("Prüfwürdige Sätze: %(title)s") % {"title": source.title},
            "source": source,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/sources/source/checkworthy.html", context)

    @transaction.non_atomic_requests
    def import_view(self, request):
        """Import an article from pasted text, an uploaded file or a URL (article or feed).

        Fetches over the network and stores article by article, so not in one request
        transaction (config/conflicts.py): a feed's articles would hold their locks until the last is fetched.
        """
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
        if request.method == "POST" and form.is_valid():
            try:
                report = import_source(**form.import_arguments(), feed_seconds=settings.SOURCE_FEED_IMPORT_SECONDS)
            except IngestError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                return self._import_done(request, report)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Artikel importieren"),
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/sources/source/import.html", context)

    def _import_done(self, request, report):
        created, existing = report.created, report.existing
        if created:
            messages.success(
                request,
                ngettext("%(count)d Artikel neu archiviert.", "%(count)d Artikel neu archiviert.", len(created)) % {"count": len(created)},
            )
        if existing:
            messages.info(
                request,
                ngettext(
                    "%(count)d Artikel war bereits archiviert und wurde nicht erneut gespeichert.",
                    "%(count)d Artikel waren bereits archiviert und wurden nicht erneut gespeichert.",
                    len(existing),
                )
                % {"count": len(existing)},
            )
        for failure in report.failures:
            messages.warning(request, _("Nicht importiert: %(label)s – %(message)s") % {"label": failure.label, "message": failure.message})
        if len(report.results) == 1 and not report.failures:
            return redirect(reverse("admin:sources_source_change", args=[report.results[0].source.pk]))
        return redirect(reverse("admin:sources_source_changelist"))
