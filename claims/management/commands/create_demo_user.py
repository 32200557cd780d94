from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from claims import roles


class Command(BaseCommand):
    help = "Legt ein Demo-Konto der Redaktion an (für lokale Installationen) und gibt die Zugangsdaten aus."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="redaktion")
        parser.add_argument("--password", default="faktencheck-demo")
        parser.add_argument("--site", default="http://127.0.0.1:8000", help="Adresse, unter der die Website läuft.")

    def handle(self, *args, username, password, site, **options):
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"first_name": "Demo", "last_name": "Redaktion", "is_staff": True}
        )
        user.is_staff = True
        user.set_password(password)
        user.save()
        user.groups.add(*Group.objects.filter(name__in=[roles.REPORTER, roles.EDITOR, roles.PUBLISHER]))
        self.stdout.write(
            f"Demo-Konto {'angelegt' if created else 'aktualisiert'}: Benutzername „{username}“, Passwort „{password}“ "
            f"– Anmeldung unter {site.rstrip('/')}/admin/"
        )
