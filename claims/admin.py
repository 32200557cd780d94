from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey
from simple_history.admin import SimpleHistoryAdmin

from sources.models import Source

from . import services
from .choices import ClaimStatus
from .models import Appearance, Claim, Claimant, ClaimEvent, Correction, PartnerKey, Rating, RatingScale, Topic
from .search import search_claims, similar_claims

# How many similar claims the editor sees while typing, and from which score on.
SIMILAR_LIMIT = 5
SIMILAR_THRESHOLD = 0.4


def similar_items(matches, *, current=None, as_json=False):
    """The similar claims as the admin shows them: text, status, score, links, and a duplicate link."""
    items = []
    for claim in matches:
        item = {
            "id": claim.pk,
            "text": claim.text,
            "status": str(claim.get_status_display()),
            "rating": claim.rating.label if claim.rating else "",
            "score": round(claim.score * 100),
            "url": reverse("admin:claims_claim_change", args=[claim.pk]),
            "duplicate_url": reverse("admin:claims_claim_mark_duplicate", args=[current.pk, claim.pk]) if current else "",
        }
        items.append(item)
    return items


def format_html_join_items(items):
    return format_html_join(
        "",
        '<li><a href="{}">{}</a> <span class="similar-meta">({} %, {}{})</span>{}</li>',
        (
            (
                item["url"],
                item["text"],
                item["score"],
                item["status"],
                f", {item['rating']}" if item["rating"] else "",
                format_html(' <a class="similar-duplicate" href="{}">{}</a>', item["duplicate_url"], _("Als Dublette hiervon markieren"))
                if item["duplicate_url"]
                else "",
            )
            for item in items
        ),
    )


class NeedsRecheckFilter(admin.SimpleListFilter):
    title = _("Überprüfung fällig")
    parameter_name = "recheck"
    HORIZONS = {"90": 90, "180": 180, "365": 365}

    def lookups(self, request, model_admin):
        return [(key, _("Stand älter als %(days)s Tage") % {"days": days}) for key, days in self.HORIZONS.items()]

    def queryset(self, request, queryset):
        days = self.HORIZONS.get(self.value() or "")
        if days is None:
            return queryset
        return queryset.needs_recheck(older_than=timezone.localdate() - timedelta(days=days))


class AppearanceInline(admin.StackedInline):
    model = Appearance
    extra = 1
    autocomplete_fields = ["source"]
    fields = ["source", "quote", "is_first"]
    verbose_name = _("Fundstelle")
    verbose_name_plural = _("Fundstellen (Artikel mit wörtlichem Zitat)")


class ClaimAdminForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Claim
        fields = [
            "text",
            "text_long",
            "claimant",
            "claim_date",
            "language",
            "topics",
            "rating",
            "conclusion",
            "context",
            "valid_as_of",
            "duplicate_of",
            "published_at",
            "slug",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["expected_version"] = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # Lock the row for the rest of the admin's transaction, then compare versions:
            # a save based on an outdated form is refused instead of overwriting.
            current = Claim.objects.select_for_update().filter(pk=self.instance.pk).values_list("version", flat=True).first()
            expected = cleaned.get("expected_version")
            if current is not None and expected != current:
                last = self.instance.history.first()
                who = last.history_user.get_username() if last and last.history_user else _("jemand")
                raise ValidationError(
                    _(
                        "Konflikt: %(who)s hat diesen Faktencheck gespeichert, nachdem Sie ihn geöffnet haben "
                        "(jetzt Version %(current)s, Ihre Version %(expected)s). Ihre Eingaben stehen noch im Formular – "
                        "bitte in einem neuen Tab die aktuelle Fassung öffnen, abgleichen und erneut speichern."
                    )
                    % {"who": who, "current": current, "expected": expected},
                    code="edit_conflict",
                )
        return cleaned


@admin.register(Claim)
class ClaimAdmin(SimpleHistoryAdmin):
    form = ClaimAdminForm
    inlines = [AppearanceInline]
    list_display = ["text", "claimant", "rating_badge", "status", "published_at", "author", "valid_as_of"]
    list_filter = ["status", "rating", "topics", "language", NeedsRecheckFilter, ("published_at", admin.DateFieldListFilter)]
    search_fields = ["text", "text_long", "conclusion", "claimant__name", "slug"]
    autocomplete_fields = ["claimant", "duplicate_of"]
    filter_horizontal = ["topics"]
    date_hierarchy = "created_at"
    list_select_related = ["claimant", "rating", "author"]
    readonly_fields = ["status", "author", "approved_by", "version", "preview_link", "created_at", "updated_at", "similar_claims_panel"]
    fieldsets = [
        (_("Behauptung"), {"fields": ["text", "similar_claims_panel", "text_long", "claimant", "claim_date", "language", "topics"]}),
        (_("Bewertung"), {"fields": ["rating", "conclusion", "context", "valid_as_of", "duplicate_of"]}),
        (
            _("Veröffentlichung"),
            {
                "fields": [
                    "status",
                    "published_at",
                    "slug",
                    "preview_link",
                    "author",
                    "approved_by",
                    "version",
                    "created_at",
                    "updated_at",
                    "expected_version",
                ]
            },
        ),
    ]
    actions = ["submit_action", "approve_action", "publish_action"]

    class Media:
        js = ["claims/admin/similar_claims.js"]
        css = {"all": ["claims/admin/similar_claims.css"]}

    def get_urls(self):
        urls = [
            path("aehnliche/", self.admin_site.admin_view(self.similar_view), name="claims_claim_similar"),
            path(
                "<int:pk>/dublette/<int:original_pk>/",
                self.admin_site.admin_view(self.mark_duplicate_view),
                name="claims_claim_mark_duplicate",
            ),
        ]
        return urls + super().get_urls()

    @admin.display(description=_("Ähnliche Faktenchecks"))
    def similar_claims_panel(self, obj):
        """Existing claims that look like the same statement; refreshed by similar_claims.js while typing."""
        exclude = obj.pk if obj is not None and obj.pk else ""
        matches = similar_claims(obj.text, exclude_pk=obj.pk, limit=SIMILAR_LIMIT, threshold=SIMILAR_THRESHOLD) if obj and obj.text else []
        items = format_html_join_items(similar_items(matches, current=obj if obj and obj.pk else None))
        return format_html(
            '<div class="similar-claims" id="similar-claims" data-url="{}" data-exclude="{}" data-duplicate-label="{}" aria-live="polite">'
            '<p class="help">{}</p><ul class="similar-claims-list">{}</ul></div>',
            reverse("admin:claims_claim_similar"),
            exclude,
            _("Als Dublette hiervon markieren") if exclude else "",
            _("Bereits erfasste Faktenchecks, die nach derselben Behauptung aussehen (Ähnlichkeit in Prozent)."),
            items,
        )

    def similar_view(self, request):
        """JSON for the editor's duplicate warning: `?text=…&exclude=<id>`."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        text = request.GET.get("text", "")
        exclude = request.GET.get("exclude", "")
        if exclude and not exclude.isdigit():
            return JsonResponse({"error": str(_("„exclude“ muss eine Faktencheck-ID sein."))}, status=400)
        matches = similar_claims(text, exclude_pk=int(exclude) if exclude else None, limit=SIMILAR_LIMIT, threshold=SIMILAR_THRESHOLD)
        current = Claim.objects.filter(pk=exclude).first() if exclude else None
        return JsonResponse({"results": similar_items(matches, current=current, as_json=True)})

    def mark_duplicate_view(self, request, pk, original_pk):
        """Confirm, then record through `services.mark_duplicate` that claim `pk` states the same as `original_pk`."""
        claim = get_object_or_404(Claim, pk=pk)
        original = get_object_or_404(Claim, pk=original_pk)
        change_url = reverse("admin:claims_claim_change", args=[claim.pk])
        if request.method == "POST":
            try:
                services.mark_duplicate(claim=claim, original=original, user=request.user)
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(request, text, messages.ERROR)
            else:
                message = _("„%(claim)s“ ist jetzt als Dublette von „%(original)s“ markiert.")
                self.message_user(request, message % {"claim": claim, "original": claim.duplicate_of})
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Als Dublette markieren"),
            "claim": claim,
            "original": original,
            "change_url": change_url,
            "allowed": request.user.has_perm("claims.review_claim"),
        }
        return TemplateResponse(request, "admin/claims/claim/mark_duplicate.html", context)

    def get_changeform_initial_data(self, request):
        """Pre-fill from the query string, e.g. from a check-worthy sentence of an article."""
        initial = super().get_changeform_initial_data(request)
        return {key: value for key, value in initial.items() if key in ClaimAdminForm.Meta.fields}

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if request.method == "GET" and (obj is None or obj.pk is None) and isinstance(inline, AppearanceInline):
            source = request.GET.get("appearance_source", "")
            quote = request.GET.get("appearance_quote", "")
            if source.isdigit() and quote and Source.objects.filter(pk=source).exists():
                kwargs["initial"] = [{"source": int(source), "quote": quote}]
        return kwargs

    def get_search_results(self, request, queryset, search_term):
        """Admin search: the public full-text search (stemmed, umlaut-insensitive) plus the plain field search."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            results = results | queryset.filter(pk__in=search_claims(queryset, search_term).values("pk"))
        return results, may_have_duplicates

    @admin.display(description=_("Bewertung"), ordering="rating__value")
    def rating_badge(self, obj):
        if not obj.rating:
            return "–"
        return format_html(
            '<span class="rating-badge" style="background:{};color:#fff;padding:0 .4em">{}</span>', obj.rating.colour, obj.rating.label
        )

    @admin.display(description=_("Vorschau"))
    def preview_link(self, obj):
        if not obj.pk:
            return "–"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), _("Öffentliche Seite / Vorschau öffnen")
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None and obj.status == ClaimStatus.PUBLISHED:
            # Verdicts of published claims change only through a correction.
            fields += list(services.VERDICT_FIELDS)
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return [(name, {"fields": [f for f in opts["fields"] if f != "expected_version"]}) for name, opts in fieldsets]
        return fieldsets

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return super().has_change_permission(request, obj) and services.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        # Published and withdrawn claims are part of the public record.
        if obj is not None and obj.status in (ClaimStatus.PUBLISHED, ClaimStatus.WITHDRAWN):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
            super().save_model(request, obj, form, change)
            return
        obj.version = form.cleaned_data["expected_version"] + 1
        super().save_model(request, obj, form, change)

    def _run(self, request, queryset, service, done_message):
        done = 0
        for claim in queryset:
            try:
                service(claim=claim, user=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(request, f"„{claim}“: {text}", messages.ERROR)
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Zur Prüfung einreichen"), permissions=["submit"])
    def submit_action(self, request, queryset):
        self._run(request, queryset, services.submit_for_review, _("%(count)s Faktencheck(s) zur Prüfung eingereicht."))

    @admin.action(description=_("Freigeben (Vier-Augen-Prinzip)"), permissions=["review"])
    def approve_action(self, request, queryset):
        self._run(request, queryset, services.approve, _("%(count)s Faktencheck(s) freigegeben."))

    @admin.action(description=_("Veröffentlichen"), permissions=["publish"])
    def publish_action(self, request, queryset):
        self._run(request, queryset, services.publish, _("%(count)s Faktencheck(s) veröffentlicht."))

    def has_submit_permission(self, request):
        return request.user.has_perm("claims.submit_claim")

    def has_review_permission(self, request):
        return request.user.has_perm("claims.review_claim")

    def has_publish_permission(self, request):
        return request.user.has_perm("claims.publish_claim")


@admin.register(Claimant)
class ClaimantAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "role"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class RatingInline(admin.TabularInline):
    model = Rating
    extra = 0
    fields = ["order", "slug", "label", "label_en", "value", "colour", "definition", "definition_en"]


@admin.register(RatingScale)
class RatingScaleAdmin(admin.ModelAdmin):
    list_display = ["name", "best_value", "worst_value", "is_default"]
    inlines = [RatingInline]


@admin.register(Rating)
class RatingAdmin(SimpleHistoryAdmin):
    list_display = ["label", "label_en", "value", "colour", "scale", "order"]
    list_filter = ["scale"]
    search_fields = ["label", "label_en", "definition"]


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["claim", "kind", "date", "old_rating", "new_rating", "created_by"]
    list_filter = ["kind", ("date", admin.DateFieldListFilter)]
    search_fields = ["claim__text", "note"]
    list_select_related = ["claim", "old_rating", "new_rating", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ClaimEvent)
class ClaimEventAdmin(admin.ModelAdmin):
    list_display = ["claim", "action", "actor", "created_at"]
    list_filter = ["action"]
    search_fields = ["claim__text", "comment"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Partner keys replace the library's generic key model, which stays unused.
admin.site.unregister(APIKey)


@admin.register(PartnerKey)
class PartnerKeyAdmin(APIKeyModelAdmin):
    list_display = ["prefix", "name", "contact", "created", "expiry_date", "_has_expired", "revoked", "last_used_at"]
    list_filter = ["revoked", "created"]
    search_fields = ["name", "contact", "prefix"]
    fields = ["name", "contact", "expiry_date", "revoked", "prefix", "created", "last_used_at"]

    def get_readonly_fields(self, request, obj=None):
        fields = ["prefix", "created", "last_used_at"]
        if obj is not None and obj.revoked:
            fields += ["name", "contact", "revoked", "expiry_date"]
        return fields

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        key = PartnerKey.objects.assign_key(obj)
        obj.save()
        self.message_user(
            request,
            _(
                "Der API-Schlüssel für „%(name)s“ lautet: %(key)s – jetzt sicher an den Partner übermitteln. "
                "Er wird nur gehasht gespeichert und kann nicht erneut angezeigt werden."
            )
            % {"name": obj.name, "key": key},
            messages.WARNING,
        )
