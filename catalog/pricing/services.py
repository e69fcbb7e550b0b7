"""Changing price lists and customer groups. The back office, imports and the API all come through here, so each
change is validated the same way, checked against the actor's companies, audited, and reported to the ERP
(`price_list.created` / `price_list.changed`, `customer_group.created` / `customer_group.changed`).

A price list's lines are replaced as a whole: what is sent is the list's new content (a resend of the same lines
changes nothing). Errors name the field, a line's by its place in what was sent (`lines[2].unit_price`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from catalog.models import Item, ItemUnitConversion, UnitOfMeasure
from portal.integration.outbox import emit
from portal.integration.sync import Applied, audit_applied, upsert_row
from portal.organisations.access import scope_of
from portal.organisations.models import Company, CustomerAccount, Partner

from .models import CustomerGroup, CustomerGroupMember, PriceList, PriceListKind, PriceListLine

LINE_FIELDS = ("min_quantity", "unit_price", "tax_rate", "valid_from", "valid_until")


def check_company_access(actor: Any, company: Company) -> None:
    """Only a group-wide actor or one of the company's own may write its prices."""
    scope = scope_of(actor)
    if not scope.is_group and company.pk not in scope.company_ids:
        raise PermissionDenied(_("This client may only write the prices of its own company."))


def _number(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def line_payload(line: PriceListLine) -> dict[str, Any]:
    return {
        "item": line.item.code,
        "unit": line.unit.code,
        "min_quantity": _number(line.min_quantity),
        "unit_price": _number(line.unit_price),
        "tax_rate": _number(line.tax_rate),
        "valid_from": line.valid_from.isoformat() if line.valid_from else None,
        "valid_until": line.valid_until.isoformat() if line.valid_until else None,
    }


def price_list_payload(price_list: PriceList, lines: list[PriceListLine] | None = None) -> dict[str, Any]:
    """What the ERP learns about a price list (also the API's representation)."""
    if lines is None:
        lines = list(
            price_list.lines.select_related("item", "unit").order_by("item__code", "unit__code", "min_quantity")
        )
    return {
        "id": str(price_list.uuid),
        "company": price_list.company.code,
        "code": price_list.code,
        "name": price_list.name,
        "currency": price_list.currency,
        "kind": price_list.kind,
        "customer_group": price_list.customer_group.code if price_list.customer_group_id else None,
        "customer": str(price_list.customer.uuid) if price_list.customer_id else None,
        "valid_from": price_list.valid_from.isoformat() if price_list.valid_from else None,
        "valid_until": price_list.valid_until.isoformat() if price_list.valid_until else None,
        "is_active": price_list.is_active,
        "source_version": price_list.source_version,
        "lines": [line_payload(line) for line in lines],
    }


def customer_group_payload(group: CustomerGroup) -> dict[str, Any]:
    return {
        "id": str(group.uuid),
        "company": group.company.code,
        "code": group.code,
        "name": group.name,
        "name_en": group.name_en,
        "members": sorted(str(uuid) for uuid in group.members.values_list("partner__uuid", flat=True)),
    }


def _customers_of(company: Company, partners: list[Partner]) -> set[int]:
    return set(
        CustomerAccount.objects.filter(company=company, partner__in=partners).values_list("partner_id", flat=True)
    )


def customer_group_upsert(
    *,
    actor: Any,
    company: Company,
    code: str,
    values: dict[str, Any],
    members: list[Partner] | None = None,
    request: Any = None,
) -> Applied:
    """Create or change a customer group of `company` (name, name_en). `members`, when given, replaces the
    group's customers; each must have a customer account with the company (`members[1]` names the one that has
    not)."""
    check_company_access(actor, company)
    with transaction.atomic():
        if members is not None:
            customers = _customers_of(company, members)
            errors = {
                f"members[{index}]": [_("This partner is not a customer of %(company)s.") % {"company": company.code}]
                for index, partner in enumerate(members)
                if partner.pk not in customers
            }
            if errors:
                raise ValidationError(errors)
        applied = upsert_row(CustomerGroup, {"company": company, "code": code}, values)
        group = applied.obj
        if members is not None:
            old = set(group.members.values_list("partner_id", flat=True))
            new = {partner.pk for partner in members}
            if old != new:
                group.members.exclude(partner_id__in=new).delete()
                CustomerGroupMember.objects.bulk_create(
                    [CustomerGroupMember(group=group, partner_id=pk) for pk in sorted(new - old)]
                )
                uuids = dict(Partner.objects.filter(pk__in=old | new).values_list("pk", "uuid"))
                applied.changes["members"] = (
                    sorted(str(uuids[pk]) for pk in old),
                    sorted(str(uuids[pk]) for pk in new),
                )
        if applied.changed:
            payload = customer_group_payload(group)
            audit_applied(
                actor=actor, applied=applied, kind="customer_group", created=payload, request=request, company=company
            )
            emit(
                "customer_group.created" if applied.created else "customer_group.changed",
                payload,
                company=company,
                obj=group,
            )
    return applied


def _check_target(company: Company, values: dict[str, Any], existing: PriceList | None) -> None:
    """The customer group must be the company's, the customer one of its customers."""
    group = values.get("customer_group")
    if group is not None and group.company_id != company.pk:
        raise ValidationError({"customer_group": _("The customer group belongs to another company.")})
    customer = values.get("customer")
    if customer is not None and (existing is None or existing.customer_id != customer.pk):
        if not _customers_of(company, [customer]):
            raise ValidationError(
                {"customer": _("This partner is not a customer of %(company)s.") % {"company": company.code}}
            )


def _prepare_lines(lines: list[dict[str, Any]]) -> list[PriceListLine]:
    """Validated, unsaved lines; every error names its line and field (`lines[2].unit_price`)."""
    errors: dict[str, list[str]] = {}
    items = [line.get("item") for line in lines]
    allowed_units: dict[int, set[int]] = {
        item.pk: {item.base_unit_id} for item in items if isinstance(item, Item) and item.pk is not None
    }
    for item_id, unit_id in ItemUnitConversion.objects.filter(item_id__in=allowed_units).values_list(
        "item_id", "unit_id"
    ):
        allowed_units[item_id].add(unit_id)
    # and the item's sales unit, which converts to its base unit (catalog.services.check_sales_unit): kg for an
    # item kept in t
    for item in items:
        if isinstance(item, Item) and item.pk is not None and item.sales_unit_id is not None:
            allowed_units[item.pk].add(item.sales_unit_id)
    prepared: list[PriceListLine] = []
    seen: dict[tuple, int] = {}
    for index, data in enumerate(lines):
        prefix = f"lines[{index}]"
        item = data.get("item")
        if not isinstance(item, Item):
            errors[f"{prefix}.item"] = [_("Required.")]
            continue
        unit = data.get("unit") or item.base_unit
        if not isinstance(unit, UnitOfMeasure):
            unit = UnitOfMeasure.objects.get(pk=item.base_unit_id)
        line = PriceListLine(item=item, unit=unit, **{name: data[name] for name in LINE_FIELDS if name in data})
        line_errors: dict[str, list[str]] = {}
        if unit.pk not in allowed_units[item.pk]:
            line_errors["unit"] = [
                _("The item %(item)s is not sold in %(unit)s.") % {"item": item.code, "unit": unit.code}
            ]
        try:
            line.full_clean(exclude=["price_list", "item", "unit"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                line_errors.setdefault(name, []).extend(messages)
        if not line_errors:
            key = (item.pk, unit.pk, Decimal(line.min_quantity), line.valid_from)
            if key in seen:
                line_errors["__all__"] = [
                    _("The same item, unit, quantity and start of validity as line %(index)s.") % {"index": seen[key]}
                ]
            else:
                seen[key] = index
        for name, messages in line_errors.items():
            errors[prefix if name == "__all__" else f"{prefix}.{name}"] = messages
        prepared.append(line)
    if errors:
        raise ValidationError(errors)
    return prepared


def _line_key(line: PriceListLine) -> tuple:
    return (
        line.item_id,
        line.unit_id,
        Decimal(line.min_quantity),
        Decimal(line.unit_price),
        Decimal(line.tax_rate),
        line.valid_from,
        line.valid_until,
    )


def _line_text(line: PriceListLine, items: dict[int, str], units: dict[int, str]) -> str:
    text = f"{items[line.item_id]} {units[line.unit_id]} ≥{_number(line.min_quantity)}: {_number(line.unit_price)}"
    text += f" ({_number(line.tax_rate)}%)"
    if line.valid_from or line.valid_until:
        start = line.valid_from.isoformat() if line.valid_from else ""
        end = line.valid_until.isoformat() if line.valid_until else ""
        text += f" [{start}–{end}]"
    return text


def _replace_lines(price_list: PriceList, lines: list[PriceListLine]) -> tuple[list[str], list[str]] | None:
    current = list(price_list.lines.all())
    if sorted(map(_line_key, current), key=repr) == sorted(map(_line_key, lines), key=repr):
        return None
    price_list.lines.all().delete()
    for line in lines:
        line.price_list = price_list
    PriceListLine.objects.bulk_create(lines)
    every = current + lines
    items = dict(Item.objects.filter(pk__in={line.item_id for line in every}).values_list("pk", "code"))
    units = dict(UnitOfMeasure.objects.filter(pk__in={line.unit_id for line in every}).values_list("pk", "code"))
    return (
        sorted(_line_text(line, items, units) for line in current),
        sorted(_line_text(line, items, units) for line in lines),
    )


def price_list_upsert(
    *,
    actor: Any,
    company: Company,
    code: str,
    values: dict[str, Any],
    lines: list[dict[str, Any]] | None = None,
    source_version: int | None = None,
    source_updated_at: datetime | None = None,
    request: Any = None,
) -> Applied:
    """Create or change the price list `code` of `company`.

    `values` may hold name, currency, kind, customer_group (a CustomerGroup of the company or None), customer
    (a Partner with a customer account at the company, or None), valid_from, valid_until, is_active. `lines`, when
    given, replaces the list's lines: dicts of item (an Item), unit (a UnitOfMeasure: the item's base unit or
    one it converts from; default the base unit), min_quantity, unit_price, tax_rate, valid_from, valid_until.
    Raises ValidationError naming the field (`customer_group`, `lines[2].unit_price`, …) and PermissionDenied
    when the actor may not write the company's prices. A stale update (older `source_version` or
    `source_updated_at` than stored) changes nothing, lines included."""
    check_company_access(actor, company)
    values = dict(values)
    kind = values.get("kind")
    if kind is not None and kind != PriceListKind.GROUP and "customer_group" not in values:
        values["customer_group"] = None
    if kind is not None and kind != PriceListKind.CUSTOMER and "customer" not in values:
        values["customer"] = None
    with transaction.atomic():
        existing = PriceList.objects.filter(company=company, code=code).first()
        _check_target(company, values, existing)
        prepared = _prepare_lines(lines) if lines is not None else None
        applied = upsert_row(
            PriceList,
            {"company": company, "code": code},
            values,
            source_version=source_version,
            source_updated_at=source_updated_at,
        )
        if applied.stale:
            return applied
        price_list = applied.obj
        if prepared is not None:
            line_changes = _replace_lines(price_list, prepared)
            if line_changes:
                applied.changes["lines"] = line_changes
        if applied.changed:
            payload = price_list_payload(price_list)
            audit_applied(
                actor=actor, applied=applied, kind="price_list", created=payload, request=request, company=company
            )
            emit(
                "price_list.created" if applied.created else "price_list.changed",
                payload if applied.created else payload | {"changed": sorted(applied.changes)},
                company=company,
                obj=price_list,
            )
    return applied


def customer_price_list_code(customer: Partner) -> str:
    """The code of the customer price list that answered quotes go to: `Q-<customer tax id>`."""
    return f"Q-{customer.tax_id}"[:40]


def customer_price_line_set(
    *,
    actor: Any,
    company: Company,
    customer: Partner,
    item: Item,
    unit: UnitOfMeasure,
    unit_price: Decimal,
    tax_rate: Decimal,
    min_quantity: Decimal = Decimal("0"),
    valid_until: Any = None,
    request: Any = None,
) -> PriceListLine:
    """Give `customer` the price `unit_price` for `item` in `unit` from `min_quantity` on at `company`, in the
    customer's price list there (`Q-<tax id>`, kind customer, in the company's currency; created when missing,
    reactivated when inactive). The line for the same item, unit and quantity (open start) is replaced; the list's
    other lines stay as they are. Audited and reported (`price_list.created` / `price_list.changed`) in the caller's
    transaction or its own. Raises ValidationError naming the field and PermissionDenied as price_list_upsert."""
    check_company_access(actor, company)
    with transaction.atomic():
        code = customer_price_list_code(customer)
        existing = PriceList.objects.select_for_update().filter(company=company, code=code).first()
        if existing is not None and (existing.kind != PriceListKind.CUSTOMER or existing.customer_id != customer.pk):
            raise ValidationError(
                {"__all__": [_("The price list %(code)s exists and is not this customer's.") % {"code": code}]}
            )
        values: dict[str, Any] = {"is_active": True}
        if existing is None:
            values |= {
                "name": (_("Prices for %(customer)s") % {"customer": customer.name})[:100],
                "currency": company.currency,
                "kind": PriceListKind.CUSTOMER,
                "customer": customer,
            }
        _check_target(company, values, existing)
        applied = upsert_row(PriceList, {"company": company, "code": code}, values)
        line = _put_line(
            actor=actor,
            applied=applied,
            values={
                "item": item,
                "unit": unit,
                "min_quantity": min_quantity,
                "unit_price": unit_price,
                "tax_rate": tax_rate,
                "valid_until": valid_until,
            },
            request=request,
        )
    return line


def price_list_line_set(
    *, actor: Any, price_list: PriceList, values: dict[str, Any], request: Any = None
) -> PriceListLine:
    """Set one line of `price_list` (the back office's single-line edit): `values` hold item, unit (default the
    item's base unit), min_quantity, unit_price, tax_rate, valid_from, valid_until. The line with the same item,
    unit, from-quantity and start of validity is changed, else a new one is added; the other lines stay.
    Audited and reported like price_list_upsert; ValidationError names the field (`lines[0].unit_price`)."""
    check_company_access(actor, price_list.company)
    with transaction.atomic():
        locked = PriceList.objects.select_for_update().select_related("company").get(pk=price_list.pk)
        applied = Applied(obj=locked, created=False, stale=False, changes={})
        return _put_line(actor=actor, applied=applied, values=values, request=request)


def price_list_line_remove(*, actor: Any, price_list: PriceList, line_id: int, request: Any = None) -> None:
    """Remove one line of `price_list`; a line of another list is not found (ValidationError)."""
    check_company_access(actor, price_list.company)
    with transaction.atomic():
        locked = PriceList.objects.select_for_update().select_related("company").get(pk=price_list.pk)
        line = locked.lines.select_related("item", "unit").filter(pk=line_id).first()
        if line is None:
            raise ValidationError({"__all__": [_("That line is not in this price list (any more).")]})
        text = _line_text(line, {line.item_id: line.item.code}, {line.unit_id: line.unit.code})
        line.delete()
        applied = Applied(obj=locked, created=False, stale=False, changes={"lines": ([text], [])})
        _report(actor=actor, applied=applied, request=request)


def _put_line(*, actor: Any, applied: Applied, values: dict[str, Any], request: Any) -> PriceListLine:
    """Add or change the one line of `values` in the locked list `applied.obj`, then audit and report the list."""
    price_list = applied.obj
    values = dict(values)
    values.setdefault("unit", getattr(values.get("item"), "base_unit", None))
    prepared = _prepare_lines([values])[0]
    same_start = Q(valid_from__isnull=True) if prepared.valid_from is None else Q(valid_from=prepared.valid_from)
    line = (
        price_list.lines.filter(same_start, item=prepared.item, unit=prepared.unit, min_quantity=prepared.min_quantity)
        .order_by("pk")
        .first()
    )
    items = {prepared.item.pk: prepared.item.code}
    units = {prepared.unit.pk: prepared.unit.code}
    old_text = _line_text(line, items, units) if line is not None else None
    if line is None:
        prepared.price_list = price_list
        prepared.save()
        line = prepared
    elif _line_key(line) != _line_key(prepared):
        for name in ("unit_price", "tax_rate", "valid_until"):
            setattr(line, name, getattr(prepared, name))
        line.save(update_fields=["unit_price", "tax_rate", "valid_until"])
    new_text = _line_text(line, items, units)
    if old_text != new_text:
        applied.changes["lines"] = ([old_text] if old_text else [], [new_text])
    _report(actor=actor, applied=applied, request=request)
    return line


def _report(*, actor: Any, applied: Applied, request: Any) -> None:
    if not applied.changed:
        return
    price_list = applied.obj
    payload = price_list_payload(price_list)
    audit_applied(
        actor=actor, applied=applied, kind="price_list", created=payload, request=request, company=price_list.company
    )
    emit(
        "price_list.created" if applied.created else "price_list.changed",
        payload if applied.created else payload | {"changed": sorted(applied.changes)},
        company=price_list.company,
        obj=price_list,
    )


__all__ = [
    "check_company_access",
    "customer_price_line_set",
    "customer_price_list_code",
    "customer_group_payload",
    "customer_group_upsert",
    "line_payload",
    "price_list_line_remove",
    "price_list_line_set",
    "price_list_payload",
    "price_list_upsert",
]
