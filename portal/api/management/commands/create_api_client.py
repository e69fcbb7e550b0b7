"""`python manage.py create_api_client NAME --scope SCOPE [--scope ...] [--company CODE]`: a new API client for an
ERP system. The key is printed once, as the last line of the output; only its hash is stored."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.api.models import ApiClient
from portal.api.scopes import KNOWN_SCOPES, unknown_scopes
from portal.organisations.models import Company


class Command(BaseCommand):
    help = "Create an API client (bound to a company, or group-wide) and print its key once, on the last line."

    def add_arguments(self, parser):
        parser.add_argument("name", help="A name for the client, e.g. erp-sh01.")
        parser.add_argument(
            "--scope",
            action="append",
            required=True,
            dest="scopes",
            help=f"A scope to grant (repeat for several): {', '.join(KNOWN_SCOPES)}.",
        )
        parser.add_argument("--company", help="The code of the company the client is bound to; omit for the group.")

    def handle(self, *args, name, scopes, company=None, **options):
        if unknown := unknown_scopes(scopes):
            raise CommandError(f"Unknown scope(s): {', '.join(unknown)}. Known: {', '.join(KNOWN_SCOPES)}.")
        bound_to = None
        if company:
            bound_to = Company.objects.filter(code=company).first()
            if bound_to is None:
                raise CommandError(f"There is no company {company}.")
        if ApiClient.objects.filter(name=name).exists():
            raise CommandError(f"An API client named {name} exists already.")
        key, prefix, key_hash = ApiClient.new_key()
        with transaction.atomic():
            client = ApiClient.objects.create(
                name=name,
                company=bound_to,
                key_prefix=prefix,
                key_hash=key_hash,
                scopes=sorted(set(scopes)),
            )
        where = f"company {bound_to.code}" if bound_to else "the whole group"
        self.stdout.write(f"Created API client {client.name} for {where} with scopes {', '.join(client.scopes)}.")
        self.stdout.write("Its key follows; it is shown only this once. Send it as 'Authorization: Bearer <key>'.")
        self.stdout.write(key)
