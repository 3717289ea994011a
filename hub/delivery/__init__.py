"""Delivery: the outbound call, the stages around it, its retry policy, dead letters and retry on demand.

- :mod:`hub.delivery.service` — one delivery: claim, build the call, run it, record the attempt, decide what's next
- :mod:`hub.delivery.stages`  — before/after-call stages: headers, signing, cross-reference capture, metrics
- :mod:`hub.delivery.client`  — pooled httpx client; converts httpx errors into ours
- :mod:`hub.delivery.policy`  — when a transient failure is tried again, and when a delivery is dead

What an operation makes of a message and of its answer is pure and lives in :mod:`hub.pipeline.outbound`.
"""
