"""YAML that remembers where each key came from, so config errors can name file and line."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from hub.errors import ConfigError


class YamlDocument:
    def __init__(self, path: Path):
        self.path = path
        text = path.read_text(encoding="utf-8")
        try:
            self.node = yaml.compose(text, Loader=yaml.SafeLoader)
            self.data: Any = yaml.safe_load(text)
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else None
            raise ConfigError(f"invalid YAML: {exc.problem}", file=str(path), line=line) from None

    def line_of(self, path: tuple[Any, ...]) -> int | None:
        """The 1-based line of the value at ``path`` (keys and list indexes), or of its nearest parent.

        A part that names no key where it stands (a tagged union's tag) is passed over."""
        node = self.node
        line = node.start_mark.line + 1 if node is not None else None
        for part in path:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == str(part):
                        line = key_node.start_mark.line + 1
                        node = value_node
                        break
                else:  # not a key here: a union's tag (``poll.files.folder``) or a missing key
                    continue
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line


M = TypeVar("M", bound=BaseModel)


def load_model(path: Path, model: type[M], *, what: str, name_key: str) -> tuple[M, YamlDocument]:
    """Validate one declarative file against ``model``; the value of ``name_key`` must be the file's stem.

    Every refusal is a :class:`ConfigError` naming the file, the line and, for an unknown key, the
    nearest key the model knows (``did you mean 'retry'?``).
    """
    doc = YamlDocument(path)
    if not isinstance(doc.data, dict):
        raise ConfigError(f"{what} must be a map of keys", file=str(path), line=1)
    try:
        value = model.model_validate(doc.data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        line = doc.line_of(loc)
        where = ".".join(str(p) for p in loc) or "(top)"
        if err["type"] == "extra_forbidden":
            key = str(loc[-1])
            raise ConfigError(f"unknown key {key!r} at {where}{did_you_mean(key, model_keys(model))}",
                              file=str(path), line=line) from None
        message = err["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{where}: {message}", file=str(path), line=line) from None
    name = getattr(value, name_key)
    if name != path.stem:
        raise ConfigError(f"{name_key} {name!r} must match the file name {path.stem!r}",
                          file=str(path), line=doc.line_of((name_key,)))
    return value, doc


def model_keys(model: type[BaseModel]) -> set[str]:
    """Every field name of ``model`` and of the models nested in it: the keys a file may use."""
    keys: set[str] = set()
    stack, seen = [model], set[type[BaseModel]]()
    while stack:
        current = stack.pop()
        seen.add(current)
        for name, info in current.model_fields.items():
            keys.add(name)
            stack.extend(m for m in _models_in(info.annotation) if m not in seen)
    return keys


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the nearest of ``known``, or nothing."""
    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _models_in(annotation: object) -> list[type[BaseModel]]:
    out: list[type[BaseModel]] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        out.append(annotation)
    for arg in getattr(annotation, "__args__", ()) or ():
        out.extend(_models_in(arg))
    return out
