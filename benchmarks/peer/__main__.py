"""The hub side by side with Node-RED on the same flow, the same load generator and the same sink.

    .venv/bin/python -m benchmarks.peer                  # the full run, about 8 minutes
    .venv/bin/python -m benchmarks.peer --rounds 1 --seconds 5 --messages 300   # a quick look

See benchmarks/README.md for what is measured and how.
"""

from benchmarks.peer.bench import main

if __name__ == "__main__":
    main()
