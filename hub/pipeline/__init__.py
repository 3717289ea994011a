"""The message path as pure stages, shared by the workers and the test harness.

::

    native body ─▶ inbound.read_native ─▶ [canonical payload, …]      (split: several)
    native body ─▶ echo.reports        ─▶ an echo of a call the hub made? (then not back to its origin)
    envelope    ─▶ routing.targets     ─▶ [delivery target, …]        (filters; each: one per element)
    envelope    ─▶ outbound.outbound_call ─▶ call (method, path, body)
    answer      ─▶ outbound.classify   ─▶ success | rejected | retry   (the operation's responses rules)

No stage touches the database or the network: :mod:`hub.translate` and
:mod:`hub.delivery.service` wrap them in transactions and calls. Each
connector's declarations are compiled once (:mod:`hub.pipeline.compiled`).
A new pattern is one more stage here, or one more delivery stage
(:mod:`hub.delivery.stages`).
"""
