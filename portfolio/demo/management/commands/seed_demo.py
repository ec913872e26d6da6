from django.core.management.base import BaseCommand

from portfolio.demo.organisation import DEMO_LOGINS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo organisation (idempotent) and print the demo logins."

    def handle(self, *args: object, **options: object) -> None:
        loaded = load_demo()
        self.stdout.write("Demo data loaded." if loaded else "Demo data already present.")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<10} {login.name:<16} {login.role}")
