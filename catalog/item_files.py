"""An item's datasheets (documents) and images (Wagtail images): attached, audited on the item so that they
appear in its history. Item fields themselves change only through catalog.services.item_upsert."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from wagtail.images import get_image_model

from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.documents.models import Document
from portal.documents.services import document_store
from portal.organisations.access import scope_of
from portal.organisations.models import Company

from .models import Item, ItemImage
from .selectors import DATASHEET_KIND, ITEM_OBJECT_TYPE

IMAGE_MAX_BYTES = 10 * 1024 * 1024


def _owner_company(actor: Any) -> Company:
    """A document must belong to a company; an item's datasheet belongs to the uploader's company (or, for
    group-wide staff, the group's first company). Every staff member may read it through the item anyway."""
    company_ids = sorted(scope_of(actor).company_ids)
    companies = Company.objects.filter(pk__in=company_ids) if company_ids else Company.objects.filter(is_active=True)
    company = companies.order_by("code").first()
    if company is None:
        raise DomainError(_("Datasheets need at least one company of the group to belong to."))
    return company


def item_datasheet_add(*, actor: Any, item: Item, uploaded_file: Any, request: Any = None) -> Document:
    """Store a datasheet for the item (checked by the document store) and note it in the item's history."""
    existing = Document.objects.filter(kind=DATASHEET_KIND, object_type=ITEM_OBJECT_TYPE, object_id=str(item.uuid))
    version = (existing.aggregate(last=Max("version"))["last"] or 0) + 1
    try:
        with transaction.atomic():
            document = document_store(
                actor=actor,
                uploaded_file=uploaded_file,
                kind=DATASHEET_KIND,
                owner_company=_owner_company(actor),
                obj=item,
                version=version,
                request=request,
            )
            audit_record(
                actor=actor,
                action="item.datasheet_added",
                obj=item,
                after={"datasheet": document.original_name, "document": str(document.uuid)},
                request=request,
            )
    except IntegrityError as error:  # two uploads at the same moment took the same version
        raise DomainError(_("Another datasheet was added at the same moment. Please upload again.")) from error
    return document


def item_image_add(
    *, actor: Any, item: Item, uploaded_image: Any = None, image: Any = None, caption: str = "", request: Any = None
) -> ItemImage:
    """Attach a new upload or an image of the library to the item."""
    with transaction.atomic():
        if uploaded_image is not None:
            if uploaded_image.size > IMAGE_MAX_BYTES:
                raise DomainError(_("The image is larger than 10 MB."))
            image = get_image_model().objects.create(
                title=caption or f"{item.code} {item.name}"[:255], file=uploaded_image
            )
        if image is None:
            raise DomainError(_("Upload an image or choose one from the library."))
        position = (item.images.aggregate(last=Max("sort_order"))["last"] or 0) + 1
        attached = ItemImage.objects.create(item=item, image=image, caption=caption, sort_order=position)
        audit_record(
            actor=actor,
            action="item.image_added",
            obj=item,
            after={"image": image.title, "caption": caption},
            request=request,
        )
    return attached


def item_image_remove(*, actor: Any, item_image: ItemImage, request: Any = None) -> None:
    """Detach an image from its item (the image stays in the library)."""
    with transaction.atomic():
        item = item_image.item
        title = item_image.image.title
        item_image.delete()
        audit_record(actor=actor, action="item.image_removed", obj=item, before={"image": title}, request=request)
