"""The CRM's JSON, in its own vocabulary: camelCase, string ids, +08:00 times.

One module per resource; everything is re-exported here, so callers import
from :mod:`mocks.crm.schemas`.
"""

from mocks.crm.schemas.base import (
    LocalDateTime, RefValue, ExternalRefs, Money, Text, Code, CrmModel, CrmIn,
)
from mocks.crm.schemas.customers import (
    AddressIn, ContactIn, AddressOut, ContactOut, CUSTOMER_EXAMPLE, CustomerIn, CustomerPatch, CustomerOut,
)
from mocks.crm.schemas.catalog import (
    ProductIn, ProductOut, SalespersonOut, OpportunityStage, OpportunityIn, StageChangeIn, OpportunityOut,
)
from mocks.crm.schemas.orders import (
    OrderStatus, OrderLineIn, ORDER_EXAMPLE, SalesOrderIn, SalesOrderPatch, CancelIn, CreditResultIn,
    PromisedLineIn, ConfirmationIn, ProductionProgressIn, ProductionCompletionIn, RescheduleIn,
    ShippedLineIn, ShipmentIn, InvoiceIn, PaymentIn, OrderLineOut, ProductionRunOut, TimelineEntryOut,
    SalesOrderOut, InspectionKind, InspectionResult, QualityInspectionIn, QualityInspectionOut,
)
from mocks.crm.schemas.service import (
    Severity, ComplaintIn, AssignmentIn, ResolutionIn, ComplaintOut, StockAlertIn, SubstituteOut,
    AcknowledgeIn, StockAlertOut,
)

__all__ = [
    "AcknowledgeIn",
    "AddressIn",
    "AddressOut",
    "AssignmentIn",
    "CUSTOMER_EXAMPLE",
    "CancelIn",
    "Code",
    "ComplaintIn",
    "ComplaintOut",
    "ConfirmationIn",
    "ContactIn",
    "ContactOut",
    "CreditResultIn",
    "CrmIn",
    "CrmModel",
    "CustomerIn",
    "CustomerOut",
    "CustomerPatch",
    "ExternalRefs",
    "InspectionKind",
    "InspectionResult",
    "InvoiceIn",
    "LocalDateTime",
    "Money",
    "ORDER_EXAMPLE",
    "OpportunityIn",
    "OpportunityOut",
    "OpportunityStage",
    "OrderLineIn",
    "OrderLineOut",
    "OrderStatus",
    "PaymentIn",
    "ProductIn",
    "ProductOut",
    "ProductionCompletionIn",
    "ProductionProgressIn",
    "ProductionRunOut",
    "PromisedLineIn",
    "QualityInspectionIn",
    "QualityInspectionOut",
    "RefValue",
    "RescheduleIn",
    "ResolutionIn",
    "SalesOrderIn",
    "SalesOrderOut",
    "SalesOrderPatch",
    "SalespersonOut",
    "Severity",
    "ShipmentIn",
    "ShippedLineIn",
    "StageChangeIn",
    "StockAlertIn",
    "StockAlertOut",
    "SubstituteOut",
    "Text",
    "TimelineEntryOut",
]
