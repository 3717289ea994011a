"""Request and response bodies in the ERP's own vocabulary (snake_case, numeric ids, money as strings)."""

from mocks.erp.schemas.archives import (
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    EmployeeIn,
    EmployeeOut,
    EmployeePatch,
    MaterialIn,
    MaterialOut,
    MaterialPatch,
    VendorIn,
    VendorOut,
    VendorPatch,
)
from mocks.erp.schemas.inventory import InventoryValueOut, ProductionReceiptIn, ProductionReceiptOut, StockLineOut
from mocks.erp.schemas.purchasing import (
    BudgetOut,
    CommitmentCloseIn,
    CommitmentIn,
    CommitmentOut,
    DelayIn,
    DelayOut,
    GoodsReceiptIn,
    GoodsReceiptOut,
    PayableOut,
    PayablePaymentIn,
    PayableReleaseIn,
    PaymentRunIn,
    PaymentRunOut,
    RequisitionIn,
    RequisitionOut,
    VendorPaymentOut,
)
from mocks.erp.schemas.sales import (
    CreditReleaseIn,
    CreditStatusOut,
    DeliveryIn,
    DeliveryOut,
    InvoiceOut,
    OrderStatusOut,
    PaymentIn,
    PaymentOut,
    ReceivablesOut,
    SalesOrderCancelIn,
    SalesOrderIn,
    SalesOrderOut,
)

__all__ = [
    "BudgetOut", "CommitmentCloseIn", "CommitmentIn", "CommitmentOut", "CreditReleaseIn", "CreditStatusOut", "CustomerIn",
    "CustomerOut", "CustomerPatch", "DelayIn", "DelayOut", "DeliveryIn", "DeliveryOut", "EmployeeIn", "EmployeeOut",
    "EmployeePatch", "GoodsReceiptIn", "GoodsReceiptOut", "InventoryValueOut", "InvoiceOut",
    "MaterialIn", "MaterialOut", "MaterialPatch", "OrderStatusOut", "PayableOut", "PayablePaymentIn",
    "PayableReleaseIn", "PaymentIn", "PaymentOut", "PaymentRunIn", "PaymentRunOut", "ProductionReceiptIn", "ProductionReceiptOut", "ReceivablesOut", "RequisitionIn",
    "RequisitionOut", "SalesOrderCancelIn", "SalesOrderIn", "SalesOrderOut", "StockLineOut",
    "VendorIn", "VendorOut", "VendorPatch", "VendorPaymentOut",
]
