"""Building blocks shared by every contract model."""

from datetime import UTC, datetime
from typing import Annotated, ClassVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        msg = "timestamp out of range once converted to UTC"
        raise ValueError(msg) from None


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timestamp that must carry a zone offset; stored and emitted in UTC."""

Kommunenummer = Annotated[str, Field(pattern=r"^[0-9]{4}$")]
"""A municipality's four-digit number, e.g. "3301" (Drammen)."""


class ContractModel(BaseModel):
    """Immutable; unknown fields are ignored so newer producers don't break older consumers."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class EventPayload(ContractModel):
    """The payload of one event type; `EVENT_TYPE` names it on the bus."""

    EVENT_TYPE: ClassVar[str]
