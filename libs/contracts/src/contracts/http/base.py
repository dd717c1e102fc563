"""The base of every service-to-service HTTP model."""

from pydantic import BaseModel, ConfigDict


class HttpModel(BaseModel):
    """Immutable, and strict about its fields: an unknown one is an error on either side."""

    model_config = ConfigDict(frozen=True, extra="forbid")
