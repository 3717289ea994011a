"""The one company all seven reference systems describe, so their seed data agree.

Suzhou Hengjia Office Furniture (苏州恒嘉办公家具制造有限公司) makes desks and
buys in chairs. Each system seeds itself from these records **with its own
ids** (the ``ids`` of each record): the same real-world customer is
``CUS-000101`` in CRM and ``100001`` in ERP, which is exactly what the hub's
cross-reference has to translate. Items follow the MRP worked example of
``CATALOG.md``: desk T = 1 top TP + 4 legs L + 8 bolts BT; TP = 2 boards B +
4 BT.

Tax ids are real-format unified social credit codes (GB 32100-2015, check
digit included). Amounts are CNY. Lead times are days (a "week" of the
worked example is 7 days).
"""

from __future__ import annotations

from typing import Any

COMPANY = {
    "name": "苏州恒嘉办公家具制造有限公司",
    "name_en": "Suzhou Hengjia Office Furniture Manufacturing Co., Ltd.",
    "tax_id": "91320505MA1W8HJ267",
    "currency": "CNY",
    "vat_rate": 0.13,
}

# ---------------------------------------------------------------- customers
CUSTOMERS: list[dict[str, Any]] = [
    {"key": "minghui", "name": "上海明辉贸易有限公司", "name_en": "Shanghai Minghui Trading Co., Ltd.",
     "tax_id": "91310115MA1K4B2C3J", "city": "上海", "address": "上海市浦东新区张江路88号",
     "phone": "021-58881234", "contact": "王磊", "contact_phone": "13801234567",
     "credit_limit": 500000.0, "payment_terms_days": 30, "overdue": 0.0, "open_receivable": 80000.0,
     "ids": {"crm": "CUS-000101", "erp": 100001, "wms": "C101"}},
    {"key": "huayuan", "name": "北京华远科技股份有限公司", "name_en": "Beijing Huayuan Technology Co., Ltd.",
     "tax_id": "91110108MA01N7QX5F", "city": "北京", "address": "北京市海淀区中关村大街27号",
     "phone": "010-62345678", "contact": "李娜", "contact_phone": "13911112222",
     "credit_limit": 300000.0, "payment_terms_days": 45, "overdue": 0.0, "open_receivable": 0.0,
     "ids": {"crm": "CUS-000102", "erp": 100002, "wms": "C102"}},
    {"key": "nanfang", "name": "广州南方家居有限公司", "name_en": None,
     "tax_id": "91440101MA59T8RK2N", "city": "广州", "address": "广州市天河区体育西路101号",
     "phone": "020-38765432", "contact": "陈静", "contact_phone": "13602223333",
     "credit_limit": 200000.0, "payment_terms_days": 30, "overdue": 12000.0, "open_receivable": 45000.0,
     "ids": {"crm": "CUS-000103", "erp": 100003, "wms": "C103"}},
    {"key": "xihu", "name": "杭州西湖文创有限公司", "name_en": "Hangzhou West Lake Creative Co., Ltd.",
     "tax_id": "91330106MA2H0GL47A", "city": "杭州", "address": "杭州市西湖区文三路259号",
     "phone": "0571-88776655", "contact": "赵敏", "contact_phone": "13757778888",
     "credit_limit": 50000.0, "payment_terms_days": 30, "overdue": 0.0, "open_receivable": 20000.0,
     "ids": {"crm": "CUS-000104", "erp": 100004, "wms": "C104"}},
    {"key": "qianhai", "name": "深圳前海智造有限公司", "name_en": "Shenzhen Qianhai Smart Manufacturing Co., Ltd.",
     "tax_id": "91440300MA5F3CQ81Q", "city": "深圳", "address": "深圳市南山区前海大道1号",
     "phone": "0755-26668888", "contact": "刘洋", "contact_phone": "13823334444",
     "credit_limit": 400000.0, "payment_terms_days": 60, "overdue": 0.0, "open_receivable": 0.0,
     "ids": {"crm": "CUS-000105", "erp": 100005, "wms": "C105"}},
]

# -------------------------------------------------------------------- items
# supply: make | buy. lead_time_days, safety_stock, lot_min, lot_multiple as in the MRP example.
ITEMS: list[dict[str, Any]] = [
    {"key": "T", "name": "办公桌 1200", "name_en": "Office desk 1200", "uom": "PCS", "supply": "make",
     "lead_time_days": 7, "safety_stock": 0, "lot_min": 0, "lot_multiple": 0, "list_price": 1280.00,
     "std_cost": 760.00, "on_hand": 20, "warehouse": "FG",
     "ids": {"erp": "100-0001", "mrp": "T", "mes": "P-T1200", "wms": "SKU-DESK-1200", "srm": None, "crm": "PRD-DESK-1200"}},
    {"key": "C", "name": "人体工学办公椅", "name_en": "Ergonomic office chair", "uom": "PCS", "supply": "buy",
     "lead_time_days": 10, "safety_stock": 10, "lot_min": 0, "lot_multiple": 0, "list_price": 650.00,
     "std_cost": 380.00, "on_hand": 30, "warehouse": "FG",
     "ids": {"erp": "100-0002", "mrp": "C", "mes": None, "wms": "SKU-CHAIR-ERG", "srm": "M-CHAIR-ERG", "crm": "PRD-CHAIR-ERG"}},
    {"key": "TP", "name": "桌面板 1200×600", "name_en": "Desk top 1200x600", "uom": "PCS", "supply": "make",
     "lead_time_days": 7, "safety_stock": 0, "lot_min": 0, "lot_multiple": 0, "list_price": None,
     "std_cost": 210.00, "on_hand": 10, "warehouse": "RM",
     "ids": {"erp": "200-0001", "mrp": "TP", "mes": "P-TP1200", "wms": "SKU-TOP-1200", "srm": None, "crm": None}},
    {"key": "L", "name": "钢制桌腿", "name_en": "Steel desk leg", "uom": "PCS", "supply": "buy",
     "lead_time_days": 14, "safety_stock": 20, "lot_min": 100, "lot_multiple": 50, "list_price": None,
     "std_cost": 45.00, "on_hand": 40, "warehouse": "RM",
     "ids": {"erp": "300-0001", "mrp": "L", "mes": "P-LEG-STL", "wms": "SKU-LEG-STL", "srm": "M-LEG-STL", "crm": None}},
    {"key": "B", "name": "E1级刨花板", "name_en": "E1 particle board", "uom": "PCS", "supply": "buy",
     "lead_time_days": 7, "safety_stock": 0, "lot_min": 0, "lot_multiple": 0, "list_price": None,
     "std_cost": 60.00, "on_hand": 50, "warehouse": "RM",
     "ids": {"erp": "300-0002", "mrp": "B", "mes": "P-BOARD-E1", "wms": "SKU-BOARD-E1", "srm": "M-BOARD-E1", "crm": None}},
    {"key": "BT", "name": "M8×30 螺栓", "name_en": "M8x30 bolt", "uom": "PCS", "supply": "buy",
     "lead_time_days": 7, "safety_stock": 0, "lot_min": 0, "lot_multiple": 500, "list_price": None,
     "std_cost": 0.35, "on_hand": 500, "warehouse": "RM",
     "ids": {"erp": "300-0003", "mrp": "BT", "mes": "P-BOLT-M8", "wms": "SKU-BOLT-M8", "srm": "M-BOLT-M8", "crm": None}},
]

BOMS: list[dict[str, Any]] = [
    {"parent": "T", "version": "A", "base_qty": 1,
     "lines": [{"component": "TP", "qty": 1}, {"component": "L", "qty": 4}, {"component": "BT", "qty": 8}]},
    {"parent": "TP", "version": "A", "base_qty": 1,
     "lines": [{"component": "B", "qty": 2}, {"component": "BT", "qty": 4}]},
]

ROUTINGS: dict[str, list[dict[str, Any]]] = {
    "T": [{"op": 10, "name": "组装", "work_center": "WC-ASM", "minutes_per_unit": 12},
          {"op": 20, "name": "终检", "work_center": "WC-QC", "minutes_per_unit": 3}],
    "TP": [{"op": 10, "name": "开料", "work_center": "WC-CUT", "minutes_per_unit": 4},
           {"op": 20, "name": "封边", "work_center": "WC-EDGE", "minutes_per_unit": 5},
           {"op": 30, "name": "钻孔", "work_center": "WC-DRL", "minutes_per_unit": 3}],
}

# Open receipts at seed time (the worked example's open PO of 100 legs due in week 2).
OPEN_PURCHASE_ORDERS: list[dict[str, Any]] = [
    {"po_no": "PO-2026-0001", "supplier": "kunshan", "item": "L", "qty": 100, "due_in_days": 14,
     "unit_price": 42.00},
]

# ---------------------------------------------------------------- suppliers
SUPPLIERS: list[dict[str, Any]] = [
    {"key": "yonggu", "name": "江苏永固五金制品有限公司", "name_en": "Jiangsu Yonggu Hardware Co., Ltd.",
     "tax_id": "91320583MA1MXY9L64", "status": "approved", "rating": 4.6, "contact": "孙强",
     "phone": "0512-57651234", "default_lead_time_days": 7,
     "prices": {"BT": 0.32, "L": 46.00},
     "ids": {"srm": "SUP-0001", "erp": 200001}},
    {"key": "senlin", "name": "浙江森林板材有限公司", "name_en": "Zhejiang Senlin Board Co., Ltd.",
     "tax_id": "91330521MA2B7KJ238", "status": "approved", "rating": 4.2, "contact": "周涛",
     "phone": "0572-52223333", "default_lead_time_days": 7,
     "prices": {"B": 58.00},
     "ids": {"srm": "SUP-0002", "erp": 200002}},
    {"key": "kunshan", "name": "昆山精工金属有限公司", "name_en": "Kunshan Precision Metal Co., Ltd.",
     "tax_id": "91320583MA1P0QR84M", "status": "approved", "rating": 3.8, "contact": "吴刚",
     "phone": "0512-55556666", "default_lead_time_days": 14,
     "prices": {"L": 42.00, "BT": 0.30},
     "ids": {"srm": "SUP-0003", "erp": 200003}},
    {"key": "kuaida", "name": "东莞快达五金有限公司", "name_en": "Dongguan Kuaida Hardware Co., Ltd.",
     "tax_id": "91441900MA4WJ6DK5H", "status": "blocked", "rating": 2.1, "contact": "郑伟",
     "phone": "0769-22334455", "default_lead_time_days": 5,
     "prices": {"BT": 0.20, "L": 35.00},
     "ids": {"srm": "SUP-0004", "erp": 200004}},
    {"key": "shushi", "name": "宁波舒适椅业有限公司", "name_en": "Ningbo Comfort Seating Co., Ltd.",
     "tax_id": "91330212MA2AH3LN9H", "status": "approved", "rating": 4.4, "contact": "冯丽",
     "phone": "0574-87654321", "default_lead_time_days": 10,
     "prices": {"C": 360.00},
     "ids": {"srm": "SUP-0005", "erp": 200005}},
    # a customer that also supplies us (it prints our product catalogues): one company, so one customer
    # golden record carries CRM's, ERP's, WMS's and SRM's ids; its supplier record is ERP's vendor 200006
    {"key": "xihu_print", "name": "杭州西湖文创有限公司", "name_en": "Hangzhou West Lake Creative Co., Ltd.",
     "tax_id": "91330106MA2H0GL47A", "status": "approved", "rating": 4.0, "contact": "孙悦",
     "phone": "0571-88776600", "default_lead_time_days": 10,
     "prices": {},
     "ids": {"srm": "SUP-0006", "erp": 200006}},
]

# --------------------------------------------------------------- warehouses
WAREHOUSES: list[dict[str, Any]] = [
    {"key": "RM", "name": "原材料仓", "name_en": "Raw materials",
     "locations": ["RM-A01-01", "RM-A01-02", "RM-A02-01", "RM-RCV"],
     "ids": {"wms": "WH01", "erp": "1000", "crm": None}},
    {"key": "FG", "name": "成品仓", "name_en": "Finished goods",
     "locations": ["FG-B01-01", "FG-B01-02", "FG-SHIP"],
     "ids": {"wms": "WH02", "erp": "2000", "crm": None}},
]

# -------------------------------------------------------------- departments
DEPARTMENTS: list[dict[str, Any]] = [
    {"key": "GM", "name": "总经理办公室", "name_en": "General management"},
    {"key": "SALES", "name": "销售部", "name_en": "Sales"},
    {"key": "PROD", "name": "生产部", "name_en": "Production"},
    {"key": "PUR", "name": "采购部", "name_en": "Purchasing"},
    {"key": "QA", "name": "质量部", "name_en": "Quality"},
    {"key": "WH", "name": "仓储部", "name_en": "Warehouse"},
    {"key": "FIN", "name": "财务部", "name_en": "Finance"},
]

EMPLOYEES: list[dict[str, Any]] = [
    {"key": "E001", "name": "张伟", "department": "GM", "position": "总经理", "manager": None,
     "roles": ["approver_l2"], "ids": {"oa": "zhangwei", "erp": 90001, "mes": None}},
    {"key": "E002", "name": "王芳", "department": "SALES", "position": "销售经理", "manager": "E001",
     "roles": ["sales_manager"], "ids": {"oa": "wangfang", "erp": 90002, "mes": None}},
    {"key": "E003", "name": "李强", "department": "SALES", "position": "销售代表", "manager": "E002",
     "roles": ["salesperson"], "ids": {"oa": "liqiang", "erp": 90003, "mes": None}},
    {"key": "E004", "name": "刘洋", "department": "PUR", "position": "采购经理", "manager": "E001",
     "roles": ["approver_l1", "buyer"], "ids": {"oa": "liuyang", "erp": 90004, "mes": None}},
    {"key": "E005", "name": "陈杰", "department": "PROD", "position": "生产经理", "manager": "E001",
     "roles": ["production_manager"], "ids": {"oa": "chenjie", "erp": 90005, "mes": "OP-005"}},
    {"key": "E006", "name": "杨静", "department": "QA", "position": "质量经理", "manager": "E001",
     "roles": ["quality_manager"], "ids": {"oa": "yangjing", "erp": 90006, "mes": "OP-006"}},
    {"key": "E007", "name": "黄磊", "department": "WH", "position": "仓库主管", "manager": "E001",
     "roles": ["warehouse_supervisor"], "ids": {"oa": "huanglei", "erp": 90007, "mes": None}},
    {"key": "E008", "name": "周敏", "department": "FIN", "position": "财务经理", "manager": "E001",
     "roles": ["finance_manager"], "ids": {"oa": "zhoumin", "erp": 90008, "mes": None}},
    {"key": "E009", "name": "吴涛", "department": "PROD", "position": "装配工", "manager": "E005",
     "roles": ["operator"], "ids": {"oa": "wutao", "erp": 90009, "mes": "OP-009"}},
]

EMAIL_DOMAIN = "hengjia.example.com"
"""The company's mail domain: an employee's work e-mail is <OA login>@ this."""

APPROVAL_THRESHOLD_CNY = 50000.0
"""At or above this amount an approval needs a second approver (the general manager)."""

BUDGETS: list[dict[str, Any]] = [
    {"code": "PUR-2026-RM", "name": "2026 原材料采购预算", "department": "PUR", "amount": 2000000.0, "used": 350000.0},
    {"code": "PUR-2026-FG", "name": "2026 外购成品预算", "department": "PUR", "amount": 500000.0, "used": 120000.0},
]


def by_key(records: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """The record whose ``key`` is ``key`` (raises KeyError naming it)."""
    for record in records:
        if record["key"] == key:
            return record
    raise KeyError(key)


def system_id(records: list[dict[str, Any]], key: str, system: str) -> Any:
    """The id ``system`` gives the record ``key``."""
    return by_key(records, key)["ids"][system]


# ------------------------------------------------------- how each system types them
# Real systems never type a company, a part or a person quite the same way: these are the
# differences the hub's golden-record matching has to see through (bracketed city, abbreviations,
# legal-form variants, phone formats, one typo, a missing tax id in one system). A system's seed
# and its master-data export (:func:`master_data`) both read a record through :func:`seen_by`.
VARIANTS: dict[str, dict[str, dict[str, Any]]] = {
    # customers (CRM keeps the registered form)
    "minghui": {"erp": {"name": "明辉贸易(上海)有限公司", "phone": "+86 21 5888 1234"},
                "wms": {"name": "上海明辉贸易有限公司", "tax_id": None}},           # WMS never recorded the tax id
    "huayuan": {"erp": {"name": "北京华远科技股份公司", "contact_phone": "139-1111-2222"},
                "wms": {"name": "华远科技(北京)股份有限公司"}},
    "nanfang": {"erp": {"name": "广州南方家居有限责任公司"},
                "wms": {"name": "广州南方家具有限公司"}},                        # a typo: 家具 for 家居
    "xihu": {"erp": {"name": "杭州西湖文创有限公司", "phone": "0571 8877 6655"},
             "wms": {"name": "西湖文创(杭州)有限公司"}},
    "qianhai": {"erp": {"name": "深圳市前海智造有限公司"},
                "wms": {"name": "深圳前海智造有限公司", "phone": "+86-755-26668888"}},
    # suppliers (SRM mostly keeps the registered form)
    "yonggu": {"erp": {"name": "永固五金制品(江苏)有限公司"}, "wms": {"name": "江苏永固五金有限公司"}},
    "senlin": {"erp": {"name": "浙江森林板材有限责任公司", "phone": "0572 5222 3333"}},
    "kunshan": {"erp": {"name": "昆山市精工金属有限公司"}, "wms": {"name": "昆山精工金属"}},
    "kuaida": {"erp": {"name": "东莞快达五金有限公司", "phone": "+86 769 2233 4455"}},
    "shushi": {"erp": {"name": "宁波舒适椅业有限公司"}, "wms": {"name": "舒适椅业(宁波)有限公司"}},
    "xihu_print": {"srm": {"name": "杭州西湖文创有限责任公司", "phone": "0571 8877 6600"},
                   "erp": {"name": "杭州市西湖文创有限公司"}},
    # items (ERP keeps the description of record)
    "C": {"srm": {"name": "人体工学 办公椅"}},
    "TP": {"mes": {"name": "桌面板 1200x600"}},
    "BT": {"wms": {"name": "M8x30 螺栓"}},
    # employees (OA keeps the name of record)
    "E003": {"erp": {"name": "李 强", "mobile": "139 0000 0003"}},
    "E005": {"mes": {"mobile": "+86 139-0000-0005"}},
}


def seen_by(record: dict[str, Any], system: str) -> dict[str, Any]:
    """``record`` as ``system`` keeps it (its own variant of the name, phone, tax id…)."""
    return {**record, **VARIANTS.get(record["key"], {}).get(system, {})}


def _customer(c: dict[str, Any], system: str) -> dict[str, Any]:
    c = seen_by(c, system)
    contacts = [{"name": c["contact"], "mobile": c["contact_phone"], "phone": c["phone"], "is_primary": True}]
    record: dict[str, Any] = {"code": local_id(c, system), "name": c["name"], "tax_id": c["tax_id"],
                              "addresses": [{"kind": "office", "street": c["address"], "city": c["city"],
                                             "is_default": True}]}
    if system in ("crm", "erp"):
        record.update(name_en=c["name_en"], credit_limit=c["credit_limit"], currency=COMPANY["currency"],
                      payment_terms=c["payment_terms_days"], status="active", contacts=contacts)
    return record


def _supplier(v: dict[str, Any], system: str) -> dict[str, Any]:
    v = seen_by(v, system)
    record: dict[str, Any] = {"code": local_id(v, system), "name": v["name"], "tax_id": v["tax_id"],
                              "status": v["status"]}
    if system in ("srm", "erp"):
        record.update(name_en=v["name_en"], default_lead_time_days=v["default_lead_time_days"],
                      contacts=[{"name": v["contact"], "phone": v["phone"], "is_primary": True}])
    return record


def _item(i: dict[str, Any], system: str) -> dict[str, Any]:
    i = seen_by(i, system)
    return {"code": local_id(i, system), "name": i["name"], "name_en": i["name_en"], "uom": i["uom"],
            "supply_method": i["supply"], "lead_time_days": i["lead_time_days"]}


def _employee(e: dict[str, Any], system: str) -> dict[str, Any]:
    e = seen_by(e, system)
    return {"employee_id": local_id(e, system), "name": e["name"], "department": e["department"],
            "position": e["position"], "roles": list(e["roles"]), "email": f"{e['ids']['oa']}@{EMAIL_DOMAIN}",
            "mobile": e.get("mobile") or f"1390000{e['key'][1:]}"}


_ENTITIES = (("customer", CUSTOMERS, _customer), ("supplier", SUPPLIERS, _supplier), ("item", ITEMS, _item),
             ("employee", EMPLOYEES, _employee))
_SYSTEMS_OF = {"customer": ("crm", "erp", "wms"), "supplier": ("srm", "erp", "wms"),
               "item": ("erp", "mrp", "mes", "wms", "srm", "crm"), "employee": ("oa", "erp", "mes")}


def local_id(record: dict[str, Any], system: str) -> str | None:
    """The id ``system`` gives ``record`` (WMS files suppliers under SRM's code)."""
    found = record["ids"].get(system)
    if found is None and system == "wms" and "srm" in record["ids"] and "wms" not in record["ids"]:
        found = record["ids"]["srm"]
    return None if found is None else str(found)


def master_data(system: str) -> list[dict[str, Any]]:
    """What ``system`` holds of the company's master data, in the hub's canonical shape: one
    ``{"entity", "id", "record"}`` per customer, supplier, item and employee it has an id for."""
    out = []
    for entity, records, shape in _ENTITIES:
        if system not in _SYSTEMS_OF[entity]:
            continue
        for rec in records:
            found = local_id(rec, system)
            if found is not None:
                out.append({"entity": entity, "id": found, "record": shape(rec, system)})
    return out
