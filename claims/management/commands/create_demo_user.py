from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from claims import roles


class Command(BaseCommand):
    help = (
        "Legt die Demo-Konten der Redaktion an (für lokale Installationen) und gibt die Zugangsdaten aus: "
        "eine Redakteurin mit allen Rollen und eine Kollegin, die deren Faktenchecks freigeben und "
        "veröffentlichen kann (Vier-Augen-Prinzip)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="redaktion")
        parser.add_argument("--colleague", default="kollegin", help="Zweites Konto (Redakteurin, Chefin vom Dienst).")
        parser.add_argument("--password", default="faktencheck-demo", help="Passwort beider Konten.")
        parser.add_argument("--site", default="http://127.0.0.1:8000", help="Adresse, unter der die Website läuft.")

    def handle(self, *args, username, colleague, password, site, **options):
        accounts = [
            (username, "Redaktion", [roles.REPORTER, roles.EDITOR, roles.PUBLISHER]),
            (colleague, "Kollegin", [roles.EDITOR, roles.PUBLISHER]),
        ]
        for name, last_name, groups in accounts:
            user, created = get_user_model().objects.get_or_create(
                username=name, defaults={"first_name": "Demo", "last_name": last_name, "is_staff": True}
            )
            user.is_staff = True
            user.set_password(password)
            user.save()
            user.groups.add(*Group.objects.filter(name__in=groups))
            self.stdout.write(f"Demo-Konto {'angelegt' if created else 'aktualisiert'}: Benutzername „{name}“, Passwort „{password}“")
        self.stdout.write(
            f"Anmeldung unter {site.rstrip('/')}/admin/ – eigene Faktenchecks gibt eine andere Person frei "
            f"und veröffentlicht sie: dafür als „{colleague}“ anmelden."
        )
