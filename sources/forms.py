from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Outlet, Source, content_hash


class ImportForm(forms.Form):
    """One article source per import: pasted text, an uploaded file or a URL (article or feed)."""

    text = forms.CharField(
        label=_("Text einfügen"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80}),
        help_text=_(
            "Den Artikel vollständig aus dem Browser kopieren: Überschrift in der ersten Zeile, darunter Vorspann, "
            "Datums- und Agenturzeile und Text. HTML-Quelltext wird ebenfalls erkannt."
        ),
    )
    file = forms.FileField(
        label=_("Datei hochladen"),
        required=False,
        help_text=_("Eine .txt-Datei (UTF-8) oder eine gespeicherte Webseite (.html)."),
    )
    url = forms.URLField(
        label=_("URL"),
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text=_(
            "Adresse eines Artikels oder eines RSS-/Atom-Feeds. Bei einem Feed wird jeder Eintrag einzeln abgerufen und archiviert."
        ),
    )
    outlet = forms.ModelChoiceField(
        label=_("Medium"),
        queryset=Outlet.objects.all(),
        required=False,
        help_text=_("Nur angeben, wenn das Medium nicht automatisch an Domain oder Seitenname erkannt wird."),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        limit = settings.SOURCE_FETCH_MAX_BYTES
        if upload and upload.size > limit:
            raise forms.ValidationError(
                _("Die Datei ist zu groß (höchstens %(max)s MB)."), params={"max": round(limit / (1024 * 1024), 1)}, code="too_large"
            )
        return upload

    def clean(self):
        cleaned_data = super().clean()
        given = [name for name in ("text", "file", "url") if cleaned_data.get(name)]
        if "text" in given and not cleaned_data["text"].strip():
            given.remove("text")
        if len(given) != 1 and not self.errors:
            raise forms.ValidationError(_("Bitte genau eines angeben: Text einfügen, Datei hochladen oder URL."), code="one_input")
        return cleaned_data

    def import_arguments(self) -> dict:
        """Keyword arguments for `import_source` from the cleaned form."""
        data = self.cleaned_data
        arguments = {"outlet": data.get("outlet")}
        if data.get("url"):
            arguments["url"] = data["url"]
        elif data.get("file"):
            upload = data["file"]
            # The browser's content type is not evidence; the file name decides text or HTML.
            arguments.update(data=upload.read(), filename=upload.name)
        else:
            arguments["data"] = data["text"].encode("utf-8")
        return arguments


class SourceAdminForm(forms.ModelForm):
    """The editors' source form: a text or URL that is already archived is named, never stored twice."""

    def clean_body(self):
        body = self.cleaned_data["body"]
        archived = Source.objects.filter(content_hash=content_hash(body)).exclude(pk=self.instance.pk).first()
        if archived:
            raise forms.ValidationError(
                _("Dieser Text ist bereits archiviert: „%(title)s“."), params={"title": archived.title}, code="archived"
            )
        return body

    def clean_url(self):
        url = self.cleaned_data.get("url", "")
        archived = Source.objects.filter(url=url, is_latest=True).exclude(pk=self.instance.pk).first() if url else None
        if archived:
            # A changed article at the same address becomes a new version only through the import.
            raise forms.ValidationError(
                _("Unter dieser URL ist bereits ein Artikel archiviert: „%(title)s“."), params={"title": archived.title}, code="archived"
            )
        return url
