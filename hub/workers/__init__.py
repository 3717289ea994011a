"""Workers: dramatiq actors for translate and deliver, and the sweeper.

RedisBroker in production (``HUB_BROKER_URL=redis://…``); in the embedded
default, dramatiq's in-memory StubBroker with worker threads in the same
process. The actors are the same either way.
"""
