"""SRM's business rules, as functions over a SQLAlchemy Session (no web framework here).

- :mod:`.suppliers` — suppliers, qualification, price lists, materials
- :mod:`.selection` — which supplier gets a requisition line (the scoring formula)
- :mod:`.requisitions` — requisitions in, approval decisions, sourcing into POs
- :mod:`.orders` — the purchase order lifecycle: issue, confirm, delay, receive, close
- :mod:`.capacity` — what a supplier can deliver: lead time, open and in-transit quantities

Every refusal is a :class:`~mocks.common.BusinessError` naming the field and the rule.
"""
