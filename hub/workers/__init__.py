"""Workers: dramatiq actors for translate and deliver, and the sweeper.

dramatiq's RedisBroker in production (``HUB_BROKER_URL=redis://…``), with a
consumer of the hub's own that fetches and acknowledges in batches
(:mod:`hub.workers.broker`); in the embedded default, dramatiq's in-memory
StubBroker with worker threads in the same process. The actors are the same
either way.
"""
