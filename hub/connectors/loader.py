"""Read ``connectors/*.yaml``, refusing anything wrong with the file, the line and a hint."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hub.connectors.models import Connector
from hub.errors import ConfigError
from hub.yamlfile import YamlDocument, load_model


@dataclass(frozen=True)
class ConnectorFile:
    """A validated connector with the document it came from, for errors that name the line."""

    connector: Connector
    doc: YamlDocument

    def error(self, message: str, *path: object) -> ConfigError:
        return ConfigError(message, file=str(self.doc.path), line=self.doc.line_of(path))


def load_connectors(folder: Path) -> dict[str, ConnectorFile]:
    files: dict[str, ConnectorFile] = {}
    for path in sorted(folder.glob("*.yaml")):
        f = load_connector(path)
        files[f.connector.name] = f
    return files


def load_connector(path: Path) -> ConnectorFile:
    connector, doc = load_model(path, Connector, what="a connector file", name_key="name")
    return ConnectorFile(connector, doc)
