"""JSONata mappings: JSON in, JSON out. Knows nothing of HTTP or the database.

- :mod:`hub.mapping.engine`    — the engine interface, jlens (default) and jsonata-python
- :mod:`hub.mapping.library`   — mapping files compiled once and cached, with their test cases
- :mod:`hub.mapping.functions` — the hub functions handed to mappings (``$xref``, ``$codemap``)
"""

from hub.mapping.engine import Compiled, Engine, make_engine
from hub.mapping.library import Mapping, MappingLibrary

__all__ = ["Compiled", "Engine", "Mapping", "MappingLibrary", "make_engine"]
