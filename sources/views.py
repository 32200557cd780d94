from django.db.models import Prefetch
from django.views.generic import DetailView

from claims.models import Appearance, Claim
from claims.views import PublicPageMixin

from .models import Source


class SourceDetailView(PublicPageMixin, DetailView):
    """An archived article with every passage quoted by a public claim highlighted."""

    template_name = "sources/source_detail.html"
    context_object_name = "source"

    def get_queryset(self):
        public_appearances = (
            Appearance.objects.filter(claim__in=Claim.objects.published()).select_related("claim", "claim__rating").order_by("start")
        )
        return (
            Source.objects.public()
            .select_related("outlet")
            .prefetch_related(Prefetch("appearances", queryset=public_appearances, to_attr="public_appearances"))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["segments"] = highlight_segments(self.object.body, self.object.public_appearances)
        return context


def highlight_segments(body: str, appearances) -> list[dict]:
    """Split `body` into plain and quoted segments (quotes may not overlap; later ones are skipped)."""
    segments, cursor = [], 0
    for appearance in sorted(appearances, key=lambda a: (a.start, a.end)):
        if appearance.start < cursor:
            continue
        if appearance.start > cursor:
            segments.append({"text": body[cursor : appearance.start]})
        segments.append({"text": body[appearance.start : appearance.end], "appearance": appearance})
        cursor = appearance.end
    if cursor < len(body):
        segments.append({"text": body[cursor:]})
    return segments
