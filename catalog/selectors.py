"""Reads of the item master for the back office and the import. The item master is group-wide: every staff
member sees all of it (catalog.access), so these read without a tenancy filter on purpose."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from portal.audit.models import AuditEvent
from portal.documents.models import Document

from .attributes import validate_attributes
from .models import Category, Item, UnitOfMeasure

ITEM_OBJECT_TYPE = "catalog.item"
DATASHEET_KIND = "datasheet"


def categories_linked() -> dict[int, Category]:
    """Every category by pk, each one's `parent` pointing into the same dict: `ancestors()` and
    `effective_schema()` then cost no query, however deep the tree."""
    categories = {category.pk: category for category in Category.objects.all()}
    for category in categories.values():
        if category.parent_id is not None and category.parent_id in categories:
            category.parent = categories[category.parent_id]
    return categories


def category_tree(categories: Iterable[Category] | None = None) -> list[tuple[Category, int]]:
    """(category, depth) in tree order: each category followed by its children, sorted as the model sorts."""
    nodes = list(categories if categories is not None else categories_linked().values())
    children: dict[int | None, list[Category]] = {}
    known = {node.pk for node in nodes}
    for node in nodes:
        parent = node.parent_id if node.parent_id in known else None
        children.setdefault(parent, []).append(node)
    for siblings in children.values():
        siblings.sort(key=lambda node: (node.sort_order, node.code))
    ordered: list[tuple[Category, int]] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for node in children.get(parent, []):
            if node.pk in seen:  # a cycle in bad data must not loop forever
                continue
            seen.add(node.pk)
            ordered.append((node, depth))
            walk(node.pk, depth + 1)

    walk(None, 0)
    return ordered


def descendant_ids(category: Category, categories: dict[int, Category]) -> set[int]:
    """The category's pk and those of all categories below it."""
    children: dict[int, list[int]] = {}
    for node in categories.values():
        if node.parent_id is not None:
            children.setdefault(node.parent_id, []).append(node.pk)
    found = {category.pk}
    pending = [category.pk]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def search_items(
    *,
    query: str = "",
    category: Category | None = None,
    status: str = "",
    purchasable: bool | None = None,
    sellable: bool | None = None,
    categories: dict[int, Category] | None = None,
) -> QuerySet[Item]:
    """Items matching the back office's search and filters, with what a list row shows."""
    items = Item.objects.select_related("category", "base_unit").order_by("code")
    if query:
        items = items.filter(Q(code__icontains=query) | Q(name__icontains=query) | Q(name_en__icontains=query))
    if category is not None:
        items = items.filter(category_id__in=descendant_ids(category, categories or categories_linked()))
    if status:
        items = items.filter(status=status)
    if purchasable is not None:
        items = items.filter(is_purchasable=purchasable)
    if sellable is not None:
        items = items.filter(is_sellable=sellable)
    return items


def items_not_matching_their_schema(category: Category) -> list[str]:
    """Codes of the items of the category and below whose specification its (changed) schema refuses."""
    categories = categories_linked()
    subtree = descendant_ids(categories[category.pk], categories)
    schemas = {pk: categories[pk].effective_schema() for pk in subtree}
    codes = []
    for code, category_id, attributes in (
        Item.objects.filter(category_id__in=subtree).order_by("code").values_list("code", "category_id", "attributes")
    ):
        try:
            validate_attributes(schemas[category_id], attributes)
        except ValidationError:
            codes.append(code)
    return codes


def item_history(item: Item) -> QuerySet[AuditEvent]:
    """The item's audit trail, newest first."""
    return AuditEvent.objects.filter(object_type=ITEM_OBJECT_TYPE, object_id=str(item.uuid)).order_by("-id")


def item_datasheets(item: Item) -> QuerySet[Document]:
    return Document.objects.filter(
        object_type=ITEM_OBJECT_TYPE, object_id=str(item.uuid), kind=DATASHEET_KIND
    ).select_related("uploaded_by")


def get_datasheet(document_id: Any) -> Document | None:
    """A datasheet of any item (all staff may read them), or None."""
    return Document.objects.filter(uuid=document_id, object_type=ITEM_OBJECT_TYPE, kind=DATASHEET_KIND).first()


def units_by_code() -> dict[str, UnitOfMeasure]:
    return {unit.code: unit for unit in UnitOfMeasure.objects.all()}
