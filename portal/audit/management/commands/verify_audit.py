"""`python manage.py verify_audit`: recompute the audit chain and name its first broken link.

Exits 0 when the chain holds (unsealed events at the tail are reported, they are not a break), 1 otherwise.
Pass heads kept outside the database (as the ERP received them from the `audit.chain_head` topic) with
`--head COUNT:LAST_ID:SEAL` to detect a rewrite that also removed the outbox rows.
"""

from django.core.management.base import BaseCommand, CommandError

from portal.audit.sealing import verify_chain


def _parse_head(text: str) -> dict:
    try:
        count, last_id, seal = text.split(":")
        return {"count": int(count), "last_id": int(last_id), "seal": seal}
    except ValueError as error:
        raise CommandError(f"--head expects COUNT:LAST_ID:SEAL, got {text!r}") from error


class Command(BaseCommand):
    help = "Recompute the audit chain's seals and report the first broken link."

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            action="append",
            default=[],
            metavar="COUNT:LAST_ID:SEAL",
            help="a published chain head kept outside the database; may be repeated",
        )

    def handle(self, *args, **options):
        report = verify_chain(expected_heads=[_parse_head(text) for text in options["head"]])
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        if report.broken is not None:
            link = report.broken
            when = link.created_at.isoformat() if link.created_at else "-"
            self.stdout.write(
                f"BROKEN at event id={link.event_id} uuid={link.uuid or '-'} action={link.action or '-'} "
                f"time={when}: {link.reason}"
            )
            self.stdout.write(f"{report.sealed} event(s) verified before the break.")
            raise CommandError("The audit chain is broken.")
        self.stdout.write(
            f"OK: {report.sealed} sealed event(s) verified, {report.heads_checked} published head(s) matched."
        )
        if report.unsealed:
            self.stdout.write(
                f"{report.unsealed} event(s) not sealed yet (from id {report.first_unsealed_id}); "
                "the sealer chains them on its next run."
            )
