"""One module per page (or small family of pages); each exposes a ``router``."""
