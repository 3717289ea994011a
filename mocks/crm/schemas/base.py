"""Shared building blocks of the CRM's JSON: camelCase aliases, +08:00 times, id and money types.

Request bodies refuse unknown fields (a misspelt field is an error, not a
silent no-op). Responses are read straight from the ORM rows
(``from_attributes``); every datetime is shown in +08:00.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

from mocks.crm import clock

LocalDateTime = Annotated[datetime, AfterValidator(clock.local)]
"""An instant shown in +08:00 (inputs with another offset are converted; naive ones are CRM local)."""

RefValue = Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v)]
ExternalRefs = dict[str, RefValue]
"""Other systems' ids of the same record, by system name: ``{"erp": "100001"}``."""

Money = Annotated[float, Field(ge=0, description="Amount in the document currency, 2 decimals")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Code = Annotated[str, Field(min_length=1, max_length=50)]


class CrmModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, validate_by_alias=True,
                              serialize_by_alias=True, from_attributes=True)


class CrmIn(CrmModel):
    model_config = ConfigDict(extra="forbid")
