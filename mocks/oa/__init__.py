"""OA — the reference office-workflow system (a DingTalk/Feishu-like product).

It runs approval workflows whose approver chain depends on the amount (one
approver below :data:`mocks.common.company.APPROVAL_THRESHOLD_CNY`, a second —
the general manager — at or above it), routes tasks such as customer
complaints to the responsible department's head with a due time by severity,
delivers notifications to users or whole departments, and onboards new
employees. It speaks its own vocabulary — camelCase fields, ``PROC-…`` process
instance ids, ``businessId`` for the other system's key, ``formComponentValues``
as a list of string-valued components, times as ``YYYY-MM-DD HH:mm:ss``
(+08:00 implied), statuses ``RUNNING``/``COMPLETED``/``TERMINATED`` and results
``agree``/``refuse`` — and tells the hub about decisions, task assignments and
completions, and onboarded users through signed webhooks.
"""
