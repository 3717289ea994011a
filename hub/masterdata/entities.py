"""The entity file (``mappings/masterdata/<entity>.yaml``), key by key, and its loader.

A new entity type is a file alone. A minimal one::

    entity: supplier
    title: Supplier
    sources:
      - {type: party.supplier.upserted, id: code}
    fields:
      name:   {normalise: company_name}
      tax_id: {normalise: tax_id}
      phone:  {path: [contacts[].phone, contacts[].mobile], normalise: phone}
    comparisons:
      name:  {method: company_name, levels: [1.0, 0.92, 0.8]}
      phone: {method: exact}
    blocking:
      - {field: name, kind: prefix, length: 2}
      - {field: phone}
    rules:
      - {field: tax_id, check: uscc}
    thresholds: {auto_merge: 0.995, review: 0.6}
    survivorship:
      default: most_recent
      fields:
        name: {rule: source_priority, order: [erp, srm]}

Unknown keys are refused with the file, the line and the nearest known key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.masterdata.compare import COMPARATORS
from hub.masterdata.normalise import CHECKS, NORMALISERS
from hub.yamlfile import did_you_mean, load_model

DEFAULT_AUTO_MERGE = 0.995
"""Match probability at or above which two records are merged without a steward."""
DEFAULT_REVIEW = 0.6
"""Match probability at or above which (and below auto-merge) a pair waits for a steward."""
DEFAULT_LEVELS = (1.0, 0.92, 0.8)
DEFAULT_PREFIX_LENGTH = 3
DEFAULT_PRIOR = 0.01
"""Prior probability that a blocked candidate pair is a match, until EM learns it."""

Rule = Literal["source_priority", "most_recent", "most_complete", "most_frequent"]
BlockKind = Literal["value", "prefix", "tokens", "phonetic", "pinyin", "initials"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    """A canonical message type that carries this entity, and where its local id is.

    With ``each``, every element of a list in the payload is a record of its own (the
    contacts inside a customer): its local id is ``<parent id>/<element id>``. With
    ``creates: false`` the type is another entity's (SRM's suppliers for customers): a record
    only adds its system's id to a golden record it matches, so a company that both sells to
    us and buys from us is one customer with SRM's id too, and no other supplier becomes one.
    """

    def accepts(self, system: str) -> bool:
        return self.systems is None or system in self.systems

    type: str = Field(description="canonical type, e.g. party.customer.upserted")
    id: str = Field("code", description="payload key of the sender's local id (of the element, with each)")
    each: str | None = Field(None, description="a list in the payload whose elements are records, e.g. contacts")
    parent_id: str = Field("code", description="with each: payload key of the enclosing record's local id")
    systems: list[str] | None = Field(None, description="only records sent by these systems (default: any)")
    creates: bool = Field(True, description="false: a record joins the golden record it matches but never "
                                            "starts one (a supplier that is also a customer)")


class FieldSpec(_Model):
    """One field the matcher reads, and how it is normalised."""

    path: list[str] = Field(default_factory=list,
                            description="payload paths tried in order: 'a.b', 'a[].b' for each element, "
                                        "'family_name+given_name' to join; the field's own name is tried last")
    normalise: str = Field("text", description=f"one of: {', '.join(sorted(NORMALISERS))}")

    @model_validator(mode="before")
    @classmethod
    def _path_as_list(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("path"), str):
            return {**data, "path": [data["path"]]}
        return data

    @model_validator(mode="after")
    def _known_normaliser(self) -> FieldSpec:
        if self.normalise not in NORMALISERS:
            raise ValueError(f"unknown normaliser {self.normalise!r}{did_you_mean(self.normalise, NORMALISERS)}")
        return self


class Comparison(_Model):
    """How one field of two records is compared: a similarity, cut into agreement levels."""

    field: str | None = Field(None, description="the field compared; defaults to the comparison's name")
    method: str = Field("jaro_winkler", description=f"one of: {', '.join(sorted(COMPARATORS))}")
    levels: list[float] = Field(list(DEFAULT_LEVELS),
                                description="similarity thresholds, highest first; below the last one the "
                                            "field disagrees")
    m: list[float] | None = Field(None, description="starting P(level | match), one per level plus disagree")
    u: list[float] | None = Field(None, description="starting P(level | non-match), one per level plus disagree")
    term_frequency: bool = Field(False, description="exact agreement counts less when several golden records "
                                                    "among the candidates share the value (a common name)")
    tells_apart: bool = Field(False, description="disagreement here shows two entities (one person, one birth "
                                                 "date): a record disagreeing with every golden record that "
                                                 "bears its term_frequency value counts as one more bearer")

    @model_validator(mode="after")
    def _consistent(self) -> Comparison:
        if self.method not in COMPARATORS:
            raise ValueError(f"unknown comparison method {self.method!r}{did_you_mean(self.method, COMPARATORS)}")
        if list(self.levels) != sorted(self.levels, reverse=True) or not self.levels:
            raise ValueError("levels must be similarity thresholds, highest first")
        for name in ("m", "u"):
            probs = getattr(self, name)
            if probs is not None and (len(probs) != len(self.levels) + 1 or not all(0 < p < 1 for p in probs)):
                raise ValueError(f"{name} needs {len(self.levels) + 1} probabilities in (0, 1)")
        return self


class BlockingKeySpec(_Model):
    """A key two records must share to be compared at all; stored in an indexed table."""

    field: str
    kind: BlockKind = Field("value", description="value: the whole value; prefix: its first `length` "
                                                  "characters; tokens: each word; phonetic: metaphone of each "
                                                  "Latin word; pinyin: the pinyin of the first `length` "
                                                  "Chinese characters; initials: pinyin initials")
    length: int = Field(DEFAULT_PREFIX_LENGTH, ge=1, le=20)
    min_length: int = Field(2, ge=1, description="values (or tokens) shorter than this make no key")
    words: int | None = Field(None, ge=1, description="tokens / phonetic: only the first N words (a company's "
                                                       "brand, not its industry word shared by thousands)")


class DeterministicRule(_Model):
    """A code that identifies the entity: the same valid code merges; two different valid codes never do."""

    field: str
    check: str = Field("any", description=f"which codes count as valid: {', '.join(sorted(CHECKS))}")
    when_different: Literal["distinct", "review"] = Field(
        "distinct", description="two different valid codes: never linked (distinct), or at most a review")

    @model_validator(mode="after")
    def _known_check(self) -> DeterministicRule:
        if self.check not in CHECKS:
            raise ValueError(f"unknown check {self.check!r}{did_you_mean(self.check, CHECKS)}")
        return self


class Thresholds(_Model):
    auto_merge: float = Field(DEFAULT_AUTO_MERGE, gt=0, le=1)
    review: float = Field(DEFAULT_REVIEW, gt=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.review > self.auto_merge:
            raise ValueError("review must not be above auto_merge")
        return self


class FieldRule(_Model):
    rule: Rule = "most_recent"
    order: list[str] = Field(default_factory=list, description="systems, most trusted first (source_priority)")


class Survivorship(_Model):
    """Which source wins each golden field; every golden field records where it came from."""

    default: Rule = "most_recent"
    fields: dict[str, FieldRule] = Field(default_factory=dict)
    exclude: list[str] = Field(default_factory=lambda: ["code"],
                               description="payload keys that are each system's own (never golden)")

    def rule_for(self, key: str) -> FieldRule:
        return self.fields.get(key) or FieldRule(rule=self.default)


class Entity(_Model):
    entity: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="also the cross-reference's entity name")
    title: str = ""
    description: str = ""
    sources: list[Source] = Field(default_factory=list)
    fields: dict[str, FieldSpec]
    comparisons: dict[str, Comparison]
    blocking: list[BlockingKeySpec] = Field(min_length=1)
    rules: list[DeterministicRule] = Field(default_factory=list)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    prior: float = Field(DEFAULT_PRIOR, gt=0, lt=1, description="starting P(match) of a candidate pair")
    survivorship: Survivorship = Field(default_factory=Survivorship)
    display: list[str] = Field(default_factory=lambda: ["name"], description="fields that name a record in lists")

    @model_validator(mode="after")
    def _fields_named(self) -> Entity:
        for name, comp in self.comparisons.items():
            if (comp.field or name) not in self.fields:
                raise ValueError(f"comparisons.{name} compares field {comp.field or name!r}, which is not "
                                 f"declared{did_you_mean(comp.field or name, self.fields)}")
        for i, key in enumerate(self.blocking):
            if key.field not in self.fields:
                raise ValueError(f"blocking[{i}] names field {key.field!r}, which is not declared"
                                 f"{did_you_mean(key.field, self.fields)}")
        for i, rule in enumerate(self.rules):
            if rule.field not in self.fields:
                raise ValueError(f"rules[{i}] names field {rule.field!r}, which is not declared"
                                 f"{did_you_mean(rule.field, self.fields)}")
        return self


@dataclass(frozen=True)
class EntityFile:
    """A validated entity with the document it came from."""

    entity: Entity
    path: Path


@dataclass
class EntityCatalog:
    """Every entity of a folder, and which canonical type carries which."""

    entities: dict[str, Entity] = field(default_factory=dict)

    @cached_property
    def by_type(self) -> dict[str, list[tuple[Entity, Source]]]:
        """Canonical type → the entities it carries (a customer message also carries its contacts)."""
        out: dict[str, list[tuple[Entity, Source]]] = {}
        for e in self.entities.values():
            for src in e.sources:
                out.setdefault(src.type, []).append((e, src))
        for found in out.values():
            # the message's own record first (the entity the type is about), then joiners, then nested ones
            found.sort(key=lambda pair: (pair[1].each is not None, not pair[1].creates))
        return out

    def get(self, name: str) -> Entity:
        from hub.errors import NotFound

        try:
            return self.entities[name]
        except KeyError:
            raise NotFound(f"no master-data entity {name!r} (known: {', '.join(sorted(self.entities))})") from None


def load_entities(folder: Path) -> EntityCatalog:
    """``<folder>/*.yaml``, each validated; a folder that does not exist holds no entities."""
    catalog = EntityCatalog()
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        entity = load_entity(path)
        catalog.entities[entity.entity] = entity
    return catalog


def load_entity(path: Path) -> Entity:
    entity, _ = load_model(path, Entity, what="an entity file", name_key="entity")
    return entity
