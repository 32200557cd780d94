import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from claims.choices import ClaimStatus
from claims.models import Appearance, Claim, Claimant, Correction, Rating, Topic
from sources.models import Outlet, Source

ARTICLE = (
    "Berlin (dpa) - Der Bundestag hat am Donnerstag über die Zukunft der Energiepolitik beraten. "
    "Nach Angaben der Regierung sind 42 Prozent des Stroms im vergangenen Jahr aus Windkraft gewonnen worden. "
    "Die Opposition sprach von „geschönten Zahlen“ und verlangte eine unabhängige Prüfung. "
    'Ein Sprecher des Ministeriums sagte: "Wir stehen zu jeder einzelnen Zahl." '
    "Die Debatte soll in der kommenden Woche fortgesetzt werden."
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Erika"
    last_name = factory.Sequence(lambda n: f"Muster{n}")
    password = factory.django.Password("geheim-passwort-123")


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    name = factory.Sequence(lambda n: f"Zeitung {n}")
    domain = factory.Sequence(lambda n: f"zeitung{n}.example")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Bundestag debattiert Energiepolitik ({n})")
    outlet = factory.SubFactory(OutletFactory)
    agency = "dpa"
    published_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=3))
    body = factory.Sequence(lambda n: f"{ARTICLE} (Meldung {n})")


class ClaimantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claimant

    name = factory.Sequence(lambda n: f"Erika Beispiel {n}")
    role = "Ministeriumssprecherin"


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Thema {n}")


class ClaimFactory(factory.django.DjangoModelFactory):
    """A published claim with a rating; pass status/published_at to get other states."""

    class Meta:
        model = Claim

    text = factory.Sequence(lambda n: f"42 Prozent des Stroms stammen aus Windkraft ({n})")
    claimant = factory.SubFactory(ClaimantFactory)
    rating = factory.LazyFunction(lambda: Rating.objects.get(scale__is_default=True, slug="falsch"))
    conclusion = "Die Zahl ist nach Angaben der Bundesnetzagentur zu hoch."
    context = "Laut **Bundesnetzagentur** waren es 31 Prozent."
    status = ClaimStatus.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=1))
    author = factory.SubFactory(UserFactory)


class AppearanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appearance

    claim = factory.SubFactory(ClaimFactory)
    source = factory.SubFactory(SourceFactory)
    quote = "42 Prozent des Stroms im vergangenen Jahr aus Windkraft gewonnen worden"


class CorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Correction

    claim = factory.SubFactory(ClaimFactory)
    kind = "correction"
    note = "Tippfehler im Fazit korrigiert."
