"""A database dump alone does not reveal a sealed bid: `pg_dump` of the test database, taken after a supplier saved
a draft and submitted a bid with distinctive prices, a comment and an envelope, contains none of them in any
plausible textual form; nor do the audit rows, outbox payloads and notification parameters. After the opening the
price is in OpenedBidLine and in a second dump (the control: the grep does find what is there)."""

import glob
import json
import os
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from portal.notifications.models import Notification
from rfq.sourcing.bidding import bid_attachment_add, bid_save_draft, bid_submit, parse_bid
from rfq.sourcing.models import Envelope, OpenedBidLine
from tests.factories.sourcing import (
    invitation_of,
    make_published_rfq,
    offer_rows,
    open_round,
    pass_deadline,
    second_sourcing_manager,
)

PRICE = "98765.4321"
DRAFT_PRICE = "87654.3219"
COMMENT = "密封评论-QXJZ-comment"
LINE_COMMENT = "LINECOMMENT-WVBK"
ATTACHMENT_TEXT = "ATTACHMENT-TEXT-PLMK 技术方案"
ATTACHMENT_NAME = "drawing-VBNR.txt"
# Every textual form a price might take: as sent, rounded to cents, without the point, and the line's value (×10).
PRICE_FORMS = [PRICE, "98765.43", "987654321", "98765,4321", "987654.321", "987654.32"]
DRAFT_FORMS = [DRAFT_PRICE, "87654.32", "876543219"]
SECRETS = [*PRICE_FORMS, *DRAFT_FORMS, COMMENT, LINE_COMMENT, ATTACHMENT_TEXT, "ATTACHMENT-TEXT-PLMK", ATTACHMENT_NAME]


def pg_dump_path() -> str:
    found = shutil.which("pg_dump") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))), None)
    if found is None:
        pytest.skip("pg_dump is not installed")
    return found


def dump_database() -> str:
    """A plain-SQL dump of the test database (data included), as text."""
    settings = connection.settings_dict
    command = [pg_dump_path(), "--no-owner", "--no-privileges", "--format=plain", "--dbname", settings["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            command += [option, str(settings[key])]
    environment = os.environ | {"PGPASSWORD": settings.get("PASSWORD") or ""}
    result = subprocess.run(command, capture_output=True, env=environment, check=True, timeout=120)  # noqa: S603
    return result.stdout.decode("utf-8", errors="replace")


def found_in(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def rows_text() -> str:
    """The audit rows, outbox payloads and notification parameters, as one text."""
    parts = [
        json.dumps([row.before, row.after, row.object_label], ensure_ascii=False) for row in AuditEvent.objects.all()
    ]
    parts += [json.dumps(event.payload, ensure_ascii=False) for event in OutboxEvent.objects.all()]
    parts += [json.dumps(notice.params, ensure_ascii=False) for notice in Notification.objects.all()]
    return "\n".join(parts)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="pg_dump dumps PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_dump_before_the_opening_reveals_no_bid(cast):
    rfq = make_published_rfq(cast, lines=2)
    invitation = invitation_of(rfq, cast.supplier_a)
    user = cast.supplier_a_admin

    draft = parse_bid(rfq, offer_rows(rfq, [DRAFT_PRICE, "11"]), comment=COMMENT)
    bid_save_draft(user=user, invitation=invitation, content=draft)
    upload = SimpleUploadedFile(ATTACHMENT_NAME, ATTACHMENT_TEXT.encode(), content_type="text/plain")
    bid_attachment_add(user=user, invitation=invitation, envelope=Envelope.TECHNICAL, uploaded_file=upload)
    rows = offer_rows(rfq, [PRICE, "12"])
    rows[0]["comment"] = LINE_COMMENT
    bid_submit(user=user, invitation=invitation, content=parse_bid(rfq, rows, comment=COMMENT))
    # the other supplier saves a draft with the same distinctive price, never submitted
    bid_save_draft(
        user=cast.supplier_b_admin,
        invitation=invitation_of(rfq, cast.supplier_b),
        content=parse_bid(rfq, offer_rows(rfq, [PRICE, "13"])),
    )

    dump = dump_database()
    assert "sourcing_bidsubmission" in dump  # the dump holds the bid tables (their rows are sealed)
    assert found_in(dump) == []
    assert found_in(rows_text()) == []

    # The control: once opened, the price is in OpenedBidLine and so in a dump.
    pass_deadline(rfq)
    open_round(rfq, [cast.sourcing_manager, second_sourcing_manager(rfq.company)])
    prices = sorted(str(price) for price in OpenedBidLine.objects.values_list("unit_price", flat=True))
    assert prices == ["12.0000", PRICE]
    comments = set(OpenedBidLine.objects.values_list("comment", flat=True))
    assert LINE_COMMENT in comments
    assert PRICE in dump_database()
