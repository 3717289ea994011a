"""The audit archive: a sink that keeps a copy of every business event the hub taps for it (port 9108)."""
