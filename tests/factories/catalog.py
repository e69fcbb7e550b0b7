"""Item master factories: a steel-plate category with a real attribute schema, units with their dimensions."""

from decimal import Decimal

import factory

from catalog.models import Category, Item, UnitOfMeasure

PLATE_SCHEMA = [
    {
        "code": "grade",
        "label": "牌号",
        "label_en": "Grade",
        "type": "choice",
        "choices": ["Q235B", "Q345B", "Q355B"],
        "required": True,
    },
    {
        "code": "thickness",
        "label": "厚度",
        "label_en": "Thickness",
        "type": "decimal",
        "unit": "mm",
        "required": True,
        "min": 0.1,
        "max": 300,
    },
    {"code": "width", "label": "宽度", "label_en": "Width", "type": "integer", "unit": "mm"},
    {"code": "standard", "label": "标准", "label_en": "Standard", "type": "text"},
]


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitOfMeasure
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"u{n}")
    name = factory.LazyAttribute(lambda o: o.code)
    name_en = factory.LazyAttribute(lambda o: o.code)
    dimension = "count"
    factor = Decimal("1")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CAT{n:03d}")
    name = factory.Sequence(lambda n: f"类别{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    attribute_schema = factory.LazyFunction(list)


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    code = factory.Sequence(lambda n: f"ITEM-{n:05d}")
    name = factory.Sequence(lambda n: f"物品{n}")
    name_en = factory.Sequence(lambda n: f"Item {n}")
    category = factory.SubFactory(CategoryFactory)
    base_unit = factory.SubFactory(UnitFactory, code="pcs", name="件", name_en="piece")


def steel_units() -> dict[str, UnitOfMeasure]:
    return {
        "t": UnitFactory(code="t", name="吨", name_en="tonne", dimension="mass", factor=Decimal("1000")),
        "kg": UnitFactory(code="kg", name="千克", name_en="kilogram", dimension="mass", factor=Decimal("1")),
        "pcs": UnitFactory(code="pcs", name="件", name_en="piece", dimension="count", factor=Decimal("1")),
    }


def steel_plate_category() -> Category:
    steel = CategoryFactory(code="STEEL", name="钢材", name_en="Steel")
    return CategoryFactory(
        code="STEEL-PLATE", name="钢板", name_en="Steel plate", parent=steel, attribute_schema=PLATE_SCHEMA
    )
