"""OA's business rules, one module per area, over a SQLAlchemy Session (no HTTP here).

- :mod:`.directory`      departments, users, onboarding of new employees
- :mod:`.processes`      approval instances: approver chain by amount, agree/refuse/terminate
- :mod:`.tasks`          tasks routed to departments (complaints), due by severity, completion
- :mod:`.notifications`  messages to users or departments, read/unread

Every refusal is a :class:`mocks.common.BusinessError` naming the field.
"""
