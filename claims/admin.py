import re
from datetime import date, datetime, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from sources.models import Source

from . import services
from .choices import ClaimStatus, CorrectionKind
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
            # Only a public check can be the original readers are pointed to.
            "duplicate_url": reverse("admin:claims_claim_mark_duplicate", args=[current.pk, claim.pk])
            if current and claim.is_public
            else "",
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


def _object_id(value: str) -> int | None:
    """A database id from the query string: ASCII digits in bigint range ("²" is a digit to `isdigit`, not to `int`)."""
    return int(value) if re.fullmatch(r"[0-9]{1,18}", value) else None


def _is_valid(field, value) -> bool:
    """Whether the form field accepts `value` (a pre-fill from the query string may be anything)."""
    try:
        field.clean(value)
    except ValidationError:
        return False
    return True


class AppearanceFormSet(forms.BaseInlineFormSet):
    """The claim's appearances, at most one of them ticked as the first.

    Moving the tick saves without a conflict: the current first appearance is listed first
    (`Appearance.Meta.ordering`), so it is unticked before another is ticked.
    """

    def clean(self):
        super().clean()
        kept = [form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]
        if not kept and self.instance.pk and self.instance.status != ClaimStatus.DRAFT:
            # Submitting needs a quoted appearance; a claim in review or public keeps one.
            raise ValidationError(_("Ein Faktencheck braucht mindestens eine Fundstelle mit Zitat."))
        if sum(bool(form.cleaned_data.get("is_first")) for form in kept) > 1:
            raise ValidationError(_("Nur eine Fundstelle kann das erste bekannte Auftreten sein: bitte höchstens einen Haken setzen."))
        # The model's clean() anchored each quote; the same passage of an article is listed once.
        positions = [(form.instance.source_id, form.instance.start) for form in kept if form.instance.start is not None]
        if len(positions) != len(set(positions)):
            raise ValidationError(_("Dieselbe Stelle desselben Artikels ist mehrfach als Fundstelle eingetragen."))


class AppearanceInline(admin.StackedInline):
    model = Appearance
    formset = AppearanceFormSet
    extra = 1
    autocomplete_fields = ["source"]
    fields = ["source", "quote", "is_first"]
    verbose_name = _("Fundstelle")
    verbose_name_plural = _("Fundstellen (Artikel mit wörtlichem Zitat)")

    # A scheduled claim appears as it was approved: its appearances are shown, not edited.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj and services.is_scheduled(obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and services.is_scheduled(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and services.is_scheduled(obj))


class NewsroomHistoryValues(HistoricalRecordContextHelper):
    """Old and new values in the version history as the newsroom reads them: "–" for empty, local German
    dates and times, the names of choices and related objects instead of codes and ids."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return "–"
        if isinstance(value, datetime):
            return date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(value, date):
            return date_format(value, "DATE_FORMAT")
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, models.Model):
            return str(value)
        if field.many_to_one:
            related = field.related_model._default_manager.filter(pk=value).first()
            return str(related) if related is not None else f"#{value}"
        return value


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

    def clean_duplicate_of(self):
        original = self.cleaned_data.get("duplicate_of")
        if "duplicate_of" in self.changed_data:
            try:
                services.refuse_unchecked_original(original)
                services.refuse_duplicate_cycle(self.instance, original)
            except ValidationError as error:
                raise ValidationError(error.message_dict["duplicate_of"]) from error
        return original

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the form's values
        if self.instance.pk and self.instance.status == ClaimStatus.PUBLISHED:
            # The service refuses this on save; the form says so instead of failing the request.
            try:
                services.refuse_before_claim(self.instance, changed=self.changed_data)
            except ValidationError as error:
                self._update_errors(error)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # Lock the row for the rest of the admin's transaction and compare versions: a save
            # based on an outdated form is refused instead of overwriting; the input stays in the form.
            try:
                services.check_version(self.instance.pk, cleaned.get("expected_version"))
            except services.EditConflict as conflict:
                raise ValidationError(conflict.messages, code="edit_conflict") from conflict
        return cleaned


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Was muss geändert werden?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Interner Kommentar für die Autorin oder den Autor; erscheint im Verlauf des Faktenchecks."),
    )


class PublishForm(forms.Form):
    at = forms.SplitDateTimeField(
        label=_("Erscheint am"),
        widget=AdminSplitDateTime,
        help_text=_(
            "Jetzt oder später: Ein Zeitpunkt in der Zukunft plant die Veröffentlichung. "
            "Bis dahin bleibt der Faktencheck für Leser und Partner unsichtbar."
        ),
    )

    def __init__(self, *args, claim, **kwargs):
        super().__init__(*args, **kwargs)
        planned = claim.published_at if claim.published_at and claim.published_at > timezone.now() else None
        self.fields["at"].initial = timezone.localtime(planned or timezone.now())


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("Begründung"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Warum der Faktencheck zurückgezogen wird; steht im Verlauf. Ein zurückgezogener Faktencheck verschwindet "
            "mit seiner Adresse von der Website, aus Feeds, Sitemaps und der API."
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Grund"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Interner Kommentar: warum der Faktencheck zurück in den Entwurf geht; erscheint im Verlauf."),
    )


class CorrectionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Art"),
        choices=[choice for choice in CorrectionKind.choices if choice[0] != CorrectionKind.WITHDRAWAL],
        help_text=_(
            "Korrektur: ein Fehler wird berichtigt. Aktualisierung: neue Informationen. "
            "Änderung der Bewertung: das Urteil ändert sich (dann eine andere Bewertung wählen)."
        ),
    )
    note = forms.CharField(
        label=_("Öffentlicher Hinweis"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Erscheint auf der Seite des Faktenchecks und im Korrekturverzeichnis: was geändert wurde und warum."),
    )
    new_rating = forms.ModelChoiceField(
        label=_("Bewertung"),
        queryset=Rating.objects.none(),
        help_text=_("Die bisherige Bewertung bleibt in der Korrektur erhalten."),
    )
    new_conclusion = forms.CharField(
        label=_("Fazit"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Das Ergebnis in einem Satz; das bisherige Fazit bleibt in der Korrektur erhalten."),
    )

    def __init__(self, *args, claim, **kwargs):
        super().__init__(*args, **kwargs)
        scale_id = claim.rating.scale_id if claim.rating else None
        self.fields["new_rating"].queryset = Rating.objects.filter(scale_id=scale_id)
        self.fields["new_rating"].initial = claim.rating_id
        self.fields["new_conclusion"].initial = claim.conclusion


class ConfirmForm(forms.Form):
    pass


class WorkflowStep:
    """One button on the claim page: a form, the service it calls and when it is offered."""

    def __init__(self, slug, label, service, form_class, done, available, *, takes_claim=False):
        self.slug, self.label, self.service, self.form_class = slug, label, service, form_class
        self.done, self.available, self.takes_claim = done, available, takes_claim

    def form(self, claim, data=None):
        kwargs = {"claim": claim} if self.takes_claim else {}
        return self.form_class(data, **kwargs)


def _perm(user, name):
    return user.has_perm(f"claims.{name}")


WORKFLOW_STEPS = {
    step.slug: step
    for step in [
        WorkflowStep(
            "submit",
            _("Zur Prüfung einreichen"),
            services.submit_for_review,
            ConfirmForm,
            _("Zur Prüfung eingereicht."),
            lambda user, claim: claim.status == ClaimStatus.DRAFT and _perm(user, "submit_claim") and services.can_edit(user, claim),
        ),
        WorkflowStep(
            "request-changes",
            _("Änderungen anfordern"),
            services.request_changes,
            CommentForm,
            _("Änderungen angefordert; der Faktencheck ist wieder ein Entwurf."),
            lambda user, claim: claim.status == ClaimStatus.IN_REVIEW and _perm(user, "review_claim"),
        ),
        WorkflowStep(
            "approve",
            _("Freigeben"),
            services.approve,
            ConfirmForm,
            _("Freigegeben."),
            # Nobody approves or publishes their own claim: the author is not offered the buttons.
            lambda user, claim: (
                claim.status == ClaimStatus.IN_REVIEW
                and not claim.approved_by_id
                and claim.author_id != user.pk
                and _perm(user, "review_claim")
            ),
        ),
        WorkflowStep(
            "publish",
            _("Veröffentlichen"),
            services.publish,
            PublishForm,
            _("Veröffentlicht."),
            lambda user, claim: (
                claim.status == ClaimStatus.IN_REVIEW
                and claim.approved_by_id
                and claim.author_id != user.pk
                and _perm(user, "publish_claim")
            ),
            takes_claim=True,
        ),
        WorkflowStep(
            "correct",
            _("Korrektur veröffentlichen"),
            services.correct_claim,
            CorrectionForm,
            _("Korrektur veröffentlicht."),
            lambda user, claim: claim.status == ClaimStatus.PUBLISHED and claim.is_public and _perm(user, "correct_claim"),
            takes_claim=True,
        ),
        WorkflowStep(
            "withdraw",
            _("Zurückziehen"),
            services.withdraw,
            WithdrawForm,
            _("Zurückgezogen; der Faktencheck ist nicht mehr öffentlich."),
            lambda user, claim: claim.status == ClaimStatus.PUBLISHED and claim.is_public and _perm(user, "publish_claim"),
        ),
        WorkflowStep(
            "return-to-draft",
            _("Zurück zum Entwurf"),
            services.return_to_draft,
            ReasonForm,
            _("Zurück im Entwurf."),
            lambda user, claim: (
                (claim.status in (ClaimStatus.IN_REVIEW, ClaimStatus.WITHDRAWN) and _perm(user, "review_claim"))
                or (claim.status == ClaimStatus.PUBLISHED and not claim.is_public and _perm(user, "publish_claim"))
            ),
        ),
    ]
}


@admin.register(Claim)
class ClaimAdmin(SimpleHistoryAdmin):
    form = ClaimAdminForm
    inlines = [AppearanceInline]
    change_form_template = "admin/claims/claim/change_form.html"
    object_history_template = "admin/claims/claim/object_history.html"
    object_history_list_template = "admin/claims/claim/object_history_list.html"
    list_display = ["text", "claimant_name", "rating_badge", "status", "published_at", "author", "valid_as_of"]
    list_filter = ["status", "rating", "topics", "language", NeedsRecheckFilter, ("published_at", admin.DateFieldListFilter)]
    search_fields = ["text", "text_long", "conclusion", "claimant__name", "slug"]
    autocomplete_fields = ["claimant", "duplicate_of"]
    filter_horizontal = ["topics"]
    date_hierarchy = "created_at"
    list_select_related = ["claimant", "rating", "author"]
    readonly_fields = ["status", "author", "approved_by", "version", "preview_link", "created_at", "updated_at", "similar_claims_panel"]
    history_list_display = ["history_status", "history_approved_by", "version"]
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
            path("<int:pk>/workflow/<slug:step>/", self.admin_site.admin_view(self.workflow_view), name="claims_claim_workflow"),
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
        if exclude and _object_id(exclude) is None:
            return JsonResponse({"detail": str(_("„exclude“ muss eine Faktencheck-ID sein."))}, status=400)
        exclude = _object_id(exclude)
        matches = similar_claims(text, exclude_pk=exclude, limit=SIMILAR_LIMIT, threshold=SIMILAR_THRESHOLD)
        current = Claim.objects.filter(pk=exclude).first() if exclude else None
        return JsonResponse({"results": similar_items(matches, current=current, as_json=True)})

    def mark_duplicate_view(self, request, pk, original_pk):
        """Confirm, then record through `services.mark_duplicate` that claim `pk` states the same as `original_pk`."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        claim = get_object_or_404(Claim, pk=pk)
        original = get_object_or_404(Claim, pk=original_pk)
        if not (self.has_view_or_change_permission(request, claim) and self.has_view_or_change_permission(request, original)):
            raise PermissionDenied
        change_url = reverse("admin:claims_claim_change", args=[claim.pk])
        if request.method == "POST":
            try:
                claim = services.mark_duplicate(claim=claim, original=original, user=request.user)
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
        fields = ClaimAdminForm.base_fields
        return {key: value for key, value in initial.items() if key in ClaimAdminForm.Meta.fields and _is_valid(fields[key], value)}

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if request.method == "GET" and (obj is None or obj.pk is None) and isinstance(inline, AppearanceInline):
            source = _object_id(request.GET.get("appearance_source", ""))
            quote = request.GET.get("appearance_quote", "")
            if source and quote and Source.objects.filter(pk=source).exists():
                kwargs["initial"] = [{"source": source, "quote": quote}]
        return kwargs

    def get_search_results(self, request, queryset, search_term):
        """Admin search: the public full-text search (stemmed, umlaut-insensitive) plus the plain field search."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            results = results | queryset.filter(pk__in=search_claims(queryset, search_term).values("pk"))
        return results, may_have_duplicates

    @admin.display(description=_("Urheber/in"), ordering="claimant__name")
    def claimant_name(self, obj):
        # The name alone: with the role ("SPD-Chef, Vizekanzler und …") it took the claim's width.
        return obj.claimant.name if obj.claimant else "–"

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
        label = _("Öffentliche Seite öffnen") if obj.is_public else _("Vorschau an der künftigen Adresse öffnen")
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), label)

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None:
            # The verdict of a published claim changes only through a correction; address and date stay.
            # Judged by the stored row: a refused form has already written its values into `obj`, and a
            # scheduled claim moved into the past must not lose its locks while the form is shown again.
            stored = Claim.objects.filter(pk=obj.pk).first() if obj.pk else None
            fields += list(services.locked_fields(request.user, stored or obj))
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
        """Save through the services: the same rules as the API (four eyes, locked verdicts, versions)."""
        fields = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS if name in form.cleaned_data}
        if change:
            services.update_claim(claim=obj.pk, user=request.user, expected_version=form.cleaned_data["expected_version"], **fields)
        else:
            obj.pk = services.create_claim(author=request.user, **fields).pk
            obj._state.adding = False
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.settle_first_appearance(claim=form.instance)
        if change and ("topics" in form.changed_data or any(formset.has_changed() for formset in formsets)):
            # Appearances and topics are part of what the reviewer approved.
            services.content_changed(claim=form.instance, user=request.user)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["workflow_steps"] = [
                # The version the editor is reading: the step refuses to act on a later one.
                (step.label, reverse("admin:claims_claim_workflow", args=[obj.pk, step.slug]) + f"?version={obj.version}")
                for step in WORKFLOW_STEPS.values()
                if step.available(request.user, obj)
            ]
            context["claim_events"] = obj.events.select_related("actor")[:100]
            context["claim_corrections"] = obj.corrections.select_related("old_rating", "new_rating", "created_by")
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def workflow_view(self, request, pk, step):
        """Intermediate page of a workflow step: confirm or fill in the form, then call the service."""
        claim = get_object_or_404(Claim.objects.select_related("rating", "author", "approved_by"), pk=pk)
        workflow_step = WORKFLOW_STEPS.get(step)
        if workflow_step is None or not self.has_view_permission(request, claim):
            raise PermissionDenied
        form = workflow_step.form(claim, request.POST if request.method == "POST" else None)
        seen_version = _object_id(request.POST.get("version") or request.GET.get("version") or str(claim.version))
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    if seen_version is not None:
                        # Approving or publishing covers the version the editor read, not one saved meanwhile.
                        services.check_version(claim, seen_version)
                    workflow_step.service(claim=claim, user=request.user, **form.cleaned_data)
            except services.EditConflict as conflict:
                form.add_error(None, conflict.messages)
            except PermissionDenied as error:
                form.add_error(None, str(error) or _("Dafür fehlt Ihnen die Berechtigung."))
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                claim.refresh_from_db()
                done = workflow_step.done
                if services.is_scheduled(claim):
                    done = _("Geplant: erscheint am %s.") % date_format(timezone.localtime(claim.published_at), "DATETIME_FORMAT")
                self.message_user(request, f"„{claim}“: {done}", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:claims_claim_change", args=[claim.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": workflow_step.label,
            "opts": self.opts,
            "original": claim,
            "form": form,
            "step": workflow_step,
            "media": self.media + form.media,
            "change_url": reverse("admin:claims_claim_change", args=[claim.pk]),
            "seen_version": seen_version,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/claims/claim/workflow_step.html", context)

    @admin.display(description=_("Status"))
    def history_status(self, record):
        return record.get_status_display()

    @admin.display(description=_("Freigegeben von"))
    def history_approved_by(self, record):
        return record.approved_by or "–"

    def history_view(self, request, object_id, extra_context=None):
        """Claim history plus the history of its appearances: who changed what, when."""
        if _object_id(unquote(object_id)) is None:
            raise Http404
        appearance_history = (
            Appearance.history.filter(claim_id=object_id).select_related("history_user", "source").order_by("-history_date", "-history_id")
        )
        extra_context = {**(extra_context or {}), "appearance_history": appearance_history[:200]}
        return super().history_view(request, object_id, extra_context=extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        return NewsroomHistoryValues(self.model, historical_record)

    def history_view_title(self, request, obj):
        return _("Versionen von „%s“") % obj

    def history_form_view_title(self, request, obj):
        return _("Frühere Fassung von „%s“") % obj

    def revert_disabled(self, request, obj=None):
        # Reverting would bypass the workflow (locked verdicts, versions); old versions are read-only.
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        if _object_id(unquote(object_id)) is None or _object_id(str(version_id)) is None:
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)

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
