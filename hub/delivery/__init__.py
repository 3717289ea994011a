"""Delivery: the outbound call, its retry policy, dead letters and retry on demand.

- :mod:`hub.delivery.calls`   — what an operation makes of a message and of its answer (pure)
- :mod:`hub.delivery.client`  — pooled httpx client; converts httpx errors and status codes into ours
- :mod:`hub.delivery.policy`  — what is retried, when, and when a delivery is dead
- :mod:`hub.delivery.service` — one delivery: map, call, record the attempt, decide what's next
"""
