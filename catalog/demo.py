"""Demo item master: a small category tree with real specification attributes, the usual units and about
thirty items with group-wide codes and bilingual names. Everything goes through catalog.services, so it is
validated and audited like a steward's work; running it again changes nothing (the services report
"unchanged")."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model

from portal.core.registry import demo_data

from .services import category_upsert, item_upsert, unit_upsert

UNITS = [
    # code, name, English name, dimension, factor to the dimension's reference unit
    ("t", "吨", "tonne", "mass", "1000"),
    ("kg", "千克", "kilogram", "mass", "1"),
    ("pcs", "件", "piece", "count", "1"),
    ("m", "米", "metre", "length", "1"),
    # a box holds a different number of pieces per item: item conversions say how many
    ("box", "盒", "box", "other", "1"),
]


def _choice(code, label, label_en, choices, *, required=True):
    return {
        "code": code,
        "label": label,
        "label_en": label_en,
        "type": "choice",
        "choices": choices,
        "required": required,
    }


def _number(code, label, label_en, unit, *, kind="decimal", required=True, low=None, high=None):
    definition = {"code": code, "label": label, "label_en": label_en, "type": kind, "unit": unit, "required": required}
    if low is not None:
        definition["min"] = low
    if high is not None:
        definition["max"] = high
    return definition


STANDARD = {"code": "standard", "label": "执行标准", "label_en": "Standard", "type": "text"}

CATEGORIES = [
    # code, parent, name, English name, attribute schema
    ("STEEL", None, "钢材", "Steel", [STANDARD]),
    (
        "STEEL-PLATE",
        "STEEL",
        "钢板",
        "Steel plate",
        [
            _choice("grade", "牌号", "Grade", ["Q235B", "Q345B", "Q355B", "304", "316L"]),
            _number("thickness", "厚度", "Thickness", "mm", low=0.5, high=300),
            _number("width", "宽度", "Width", "mm", kind="integer", low=500, high=4800),
        ],
    ),
    (
        "STEEL-PIPE",
        "STEEL",
        "钢管",
        "Steel pipe",
        [
            _choice("grade", "牌号", "Grade", ["20#", "Q345B", "304"]),
            _number("outer_diameter", "外径", "Outer diameter", "mm", low=6, high=1020),
            _number("wall_thickness", "壁厚", "Wall thickness", "mm", low=0.5, high=60),
            {"code": "seamless", "label": "无缝", "label_en": "Seamless", "type": "boolean"},
        ],
    ),
    ("FASTENER", None, "紧固件", "Fasteners", [STANDARD]),
    (
        "BOLT",
        "FASTENER",
        "螺栓",
        "Bolts",
        [
            _choice("size", "规格", "Size", ["M8", "M10", "M12", "M16", "M20", "M24"]),
            _choice("grade", "性能等级", "Property class", ["8.8", "10.9", "12.9"]),
            _number("length", "长度", "Length", "mm", kind="integer", low=10, high=500),
            _choice("surface", "表面处理", "Surface", ["发黑", "镀锌", "达克罗", "热浸锌"], required=False),
        ],
    ),
    (
        "NUT",
        "FASTENER",
        "螺母",
        "Nuts",
        [
            _choice("size", "规格", "Size", ["M8", "M10", "M12", "M16", "M20", "M24"]),
            _choice("grade", "性能等级", "Property class", ["8", "10", "12"]),
            _choice("surface", "表面处理", "Surface", ["发黑", "镀锌", "达克罗", "热浸锌"], required=False),
        ],
    ),
    ("ELECTRICAL", None, "电气", "Electrical", []),
    (
        "CABLE",
        "ELECTRICAL",
        "电力电缆",
        "Power cable",
        [
            {"code": "model", "label": "型号", "label_en": "Model", "type": "text", "required": True},
            {"code": "cores", "label": "芯数及截面", "label_en": "Cores × cross-section", "type": "text"},
            _choice("voltage", "额定电压", "Rated voltage", ["0.6/1 kV", "450/750 V", "8.7/15 kV"]),
            {"code": "armoured", "label": "铠装", "label_en": "Armoured", "type": "boolean"},
        ],
    ),
    (
        "MOTOR",
        "ELECTRICAL",
        "电动机",
        "Electric motors",
        [
            _number("power", "功率", "Power", "kW", low=0.12, high=1000),
            _choice("poles", "极数", "Poles", ["2", "4", "6", "8"]),
            _choice("protection", "防护等级", "Protection", ["IP54", "IP55", "IP65"]),
            _choice("efficiency", "能效等级", "Efficiency class", ["IE2", "IE3", "IE4"], required=False),
        ],
    ),
]


def _plate(grade, thickness, width, length_m, price_note=""):
    # weight of one sheet in t: thickness (mm) × width (m) × length (m) × 7.85 kg/dm³ / 1000
    sheet_t = Decimal(thickness) * Decimal(width) / 1000 * Decimal(length_m) * Decimal("7.85") / 1000
    stainless = grade in ("304", "316L")
    kind_en = "Stainless steel plate" if stainless else "Hot-rolled steel plate"
    return (
        f"PL-{grade}-{thickness:0>2}-{width}",
        f"{'不锈钢板' if stainless else '热轧钢板'} {grade} {thickness}×{width}×{length_m * 1000:.0f}",
        f"{kind_en} {grade} {thickness}×{width}×{length_m * 1000:.0f} mm",
        "STEEL-PLATE",
        "t",
        {
            "grade": grade,
            "thickness": thickness,
            "width": width,
            "standard": "GB/T 4237-2015" if stainless else "GB/T 3274-2017",
        },
        {"pcs": sheet_t.quantize(Decimal("0.0001"))},
        True,
    )


def _pipe(grade, diameter, wall, seamless=True):
    # weight per metre in kg: (D − s) × s × 0.02466
    per_metre_t = (Decimal(diameter) - Decimal(wall)) * Decimal(wall) * Decimal("0.02466") / 1000
    kind = "无缝钢管" if seamless else "焊接钢管"
    return (
        f"SP-{grade.rstrip('#')}-{diameter}x{wall}",
        f"{kind} {grade} Φ{diameter}×{wall}",
        f"{'Seamless' if seamless else 'Welded'} steel pipe {grade} Ø{diameter}×{wall} mm",
        "STEEL-PIPE",
        "t",
        {
            "grade": grade,
            "outer_diameter": diameter,
            "wall_thickness": wall,
            "seamless": seamless,
            "standard": "GB/T 8163-2018" if seamless else "GB/T 3091-2015",
        },
        {"m": per_metre_t.quantize(Decimal("0.000001"))},
        False,
    )


def _bolt(size, length, grade, surface, per_box):
    surface_en = {"发黑": "black", "镀锌": "zinc plated", "达克罗": "Dacromet", "热浸锌": "hot-dip galvanised"}[surface]
    surface_code = {"发黑": "BK", "镀锌": "ZN", "达克罗": "DC", "热浸锌": "HDG"}[surface]
    return (
        f"BLT-{size}x{length}-{grade}-{surface_code}",
        f"六角头螺栓 {size}×{length} {grade}级 {surface}",
        f"Hex bolt {size}×{length} class {grade}, {surface_en}",
        "BOLT",
        "pcs",
        {"size": size, "grade": grade, "length": length, "surface": surface, "standard": "GB/T 5782-2016"},
        {"box": Decimal(per_box)},
        True,
    )


def _nut(size, grade, surface, per_box):
    surface_en = {"发黑": "black", "镀锌": "zinc plated", "热浸锌": "hot-dip galvanised"}[surface]
    surface_code = {"发黑": "BK", "镀锌": "ZN", "热浸锌": "HDG"}[surface]
    return (
        f"NUT-{size}-{grade}-{surface_code}",
        f"六角螺母 {size} {grade}级 {surface}",
        f"Hex nut {size} class {grade}, {surface_en}",
        "NUT",
        "pcs",
        {"size": size, "grade": grade, "surface": surface, "standard": "GB/T 6170-2015"},
        {"box": Decimal(per_box)},
        True,
    )


def _cable(model, cores, voltage, armoured):
    return (
        f"CBL-{model}-{cores.replace('×', 'x').replace('+', '-')}",
        f"电力电缆 {model} {cores} {voltage}",
        f"Power cable {model} {cores} mm² {voltage}",
        "CABLE",
        "m",
        {"model": model, "cores": cores, "voltage": voltage, "armoured": armoured},
        {},
        True,
    )


def _motor(frame, power, poles):
    return (
        f"MTR-YE3-{frame}-{poles}",
        f"三相异步电动机 YE3-{frame}-{poles} {power}kW",
        f"Three-phase induction motor YE3-{frame}-{poles}, {power} kW",
        "MOTOR",
        "pcs",
        {"power": power, "poles": poles, "protection": "IP55", "efficiency": "IE3"},
        {},
        True,
    )


ITEMS = [
    _plate("Q235B", "6", 1500, 6),
    _plate("Q235B", "10", 1500, 6),
    _plate("Q235B", "20", 2000, 8),
    _plate("Q345B", "12", 2000, 8),
    _plate("Q345B", "30", 2200, 10),
    _plate("Q355B", "16", 2000, 8),
    _plate("304", "3", 1219, 2.438),
    _plate("316L", "6", 1500, 6),
    _pipe("20#", "57", "3.5"),
    _pipe("20#", "89", "6"),
    _pipe("Q345B", "159", "8"),
    _pipe("304", "108", "4"),
    _pipe("Q345B", "219", "6", seamless=False),
    _bolt("M8", 30, "8.8", "镀锌", 200),
    _bolt("M10", 40, "8.8", "镀锌", 200),
    _bolt("M12", 50, "8.8", "镀锌", 100),
    _bolt("M12", 60, "10.9", "发黑", 100),
    _bolt("M16", 80, "10.9", "达克罗", 50),
    _bolt("M20", 100, "10.9", "热浸锌", 25),
    _bolt("M24", 120, "12.9", "发黑", 20),
    _nut("M12", "8", "镀锌", 500),
    _nut("M16", "10", "发黑", 200),
    _nut("M20", "10", "热浸锌", 100),
    _cable("YJV22", "3×95+1×50", "0.6/1 kV", True),
    _cable("YJV", "4×25", "0.6/1 kV", False),
    _cable("BVR", "1×6", "450/750 V", False),
    _cable("YJV22", "3×240", "8.7/15 kV", True),
    _motor("132M", "7.5", "4"),
    _motor("160L", "15", "4"),
    _motor("200L", "30", "6"),
]


@demo_data.register("040-catalog")
def load_catalog_demo() -> list:
    """Units, the category tree and the demo items, created or brought back to what is written here."""
    actor = get_user_model().objects.filter(email="admin@group.example").first()
    units = {}
    for code, name, name_en, dimension, factor in UNITS:
        units[code] = unit_upsert(
            actor=actor,
            code=code,
            values={"name": name, "name_en": name_en, "dimension": dimension, "factor": Decimal(factor)},
        ).obj
    categories = {}
    for order, (code, parent, name, name_en, schema) in enumerate(CATEGORIES):
        categories[code] = category_upsert(
            actor=actor,
            code=code,
            values={
                "name": name,
                "name_en": name_en,
                "parent": categories[parent] if parent else None,
                "attribute_schema": schema,
                "sort_order": order,
            },
        ).obj
    for code, name, name_en, category, base_unit, attributes, conversions, sellable in ITEMS:
        item_upsert(
            actor=actor,
            code=code,
            values={
                "name": name,
                "name_en": name_en,
                "category": categories[category],
                "base_unit": units[base_unit],
                "is_purchasable": True,
                "is_sellable": sellable,
                "status": "active",
                "attributes": attributes,
            },
            conversions={units[unit]: factor for unit, factor in conversions.items()},
        )
    return []
