import shutil
import subprocess
import tempfile
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.translation import override

from selfservice.orders.confirmation import CONFIRMATION, confirmation_send, order_confirmation_pdf
from selfservice.orders.models import OrderEvent
from tests.conftest import login

from .helpers import checkout, fill

pytestmark = pytest.mark.django_db


def pdf_tool(name: str, content: bytes) -> str:
    """poppler's pdftotext / pdffonts on the PDF (the Debian package poppler-utils)."""
    if shutil.which(name) is None:
        pytest.skip(f"{name} is not installed")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        arguments = [name, handle.name, "-"] if name == "pdftotext" else [name, handle.name]
        return subprocess.run(arguments, check=True, capture_output=True, text=True).stdout


def place(shop, cast, language, django_capture_on_commit_callbacks):
    fill(shop, cast.company_a, [(shop.plate, "5"), (shop.pipe, "2")])
    with override(language), django_capture_on_commit_callbacks(execute=True):
        return checkout(shop, cast.company_a)


def test_the_confirmation_goes_out_once_in_chinese_with_the_pdf(shop, cast, django_capture_on_commit_callbacks):
    order = place(shop, cast, "zh-hans", django_capture_on_commit_callbacks)
    confirmations = [message for message in mail.outbox if message.attachments]
    assert len(confirmations) == 1
    message = confirmations[0]
    assert message.to == ["sales@customer-c.test"]
    assert message.cc == ["admin@customer-c.test"]  # the customer's administrator; finance-only people are not told
    assert order.number in message.subject and "上海钢铁有限公司" in message.subject
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == (f"{order.number}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    assert order.number in message.body
    # a second task for the same order and kind sends nothing
    assert confirmation_send(order_id=order.pk, kind=CONFIRMATION) is False
    assert len([message for message in mail.outbox if message.attachments]) == 1
    assert OrderEvent.objects.filter(order=order, kind="confirmation_sent", internal=True).count() == 1


def test_the_confirmation_in_english(shop, cast, django_capture_on_commit_callbacks):
    order = place(shop, cast, "en", django_capture_on_commit_callbacks)
    message = next(message for message in mail.outbox if message.attachments)
    assert message.subject == f"Your order {order.number} at 上海钢铁有限公司"
    assert message.body.startswith(f"Thank you for your order {order.number} at 上海钢铁有限公司.")
    assert "It is now being reviewed by our sales team" in message.body
    assert f"/customer/orders/{order.uuid}/" in message.body


def test_the_pdf_prints_chinese_and_english(shop, cast):
    fill(shop, cast.company_a, [(shop.plate, "5")])
    order = checkout(shop, cast.company_a)
    content = order_confirmation_pdf(order, "zh-hans")
    chinese = pdf_tool("pdftotext", content)
    english = pdf_tool("pdftotext", order_confirmation_pdf(order, "en"))
    # the Chinese text is set in a CJK font (no empty boxes)
    assert any(font in pdf_tool("pdffonts", content) for font in ("WenQuanYi", "NotoSansCJK", "Noto Sans CJK"))
    assert order.number in chinese and "热轧钢板" in chinese and "丙客户有限公司" in chinese
    assert "Order confirmation" in english and "22,600.00" in english
    assert order.gross_total == Decimal("22600.00")


def test_nothing_is_sent_when_checkout_is_refused(shop, cast, django_capture_on_commit_callbacks):
    fill(shop, cast.company_a, [(shop.plate, "5")])
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception):  # noqa: B017
        checkout(shop, cast.company_a, prices={})
    assert mail.outbox == []


def test_the_customers_order_page_serves_the_pdf(shop, cast):
    fill(shop, cast.company_a, [(shop.plate, "5")])
    order = checkout(shop, cast.company_a)
    try:
        url = reverse("customer_orders:confirmation_pdf", kwargs={"order_id": order.uuid})
    except Exception:  # noqa: BLE001
        pytest.skip("the order pages are not wired")
    response = login(Client(), shop.sales).get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
