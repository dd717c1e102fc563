"""Min side → notification: a letter's PDF, for the citizen it was addressed to.

``GET /v1/documents/{document_id}`` with a service token of Min side (scope
:data:`DOCUMENTS_SCOPE`) and the citizen's ``debtor_ref`` in :data:`DEBTOR_HEADER` (never in
the URL); the answer is the PDF itself (``application/pdf``), or 404 for a letter that is not
the citizen's (existence does not leak).
"""

from collections.abc import Mapping
from uuid import UUID

from pydantic import Field

from contracts.http.base import HttpModel

DOCUMENT_PATH = "/v1/documents/{document_id}"
DOCUMENTS_SCOPE = "kravflyt:documents.citizen"
DEBTOR_HEADER = "Kravflyt-Debtor-Ref"
PDF_MEDIA_TYPE = "application/pdf"


class CitizenDocument(HttpModel):
    """Which letter, for whom: the request's path and headers come from this."""

    document_id: UUID
    debtor_ref: str = Field(min_length=1, max_length=200)

    @property
    def path(self) -> str:
        return DOCUMENT_PATH.format(document_id=self.document_id)

    def headers(self) -> dict[str, str]:
        return {"Accept": PDF_MEDIA_TYPE, DEBTOR_HEADER: self.debtor_ref}

    @classmethod
    def from_request(cls, document_id: UUID, headers: Mapping[str, str]) -> "CitizenDocument":
        """The callee's reading of the same request (``headers`` looks names up case-blind)."""
        return cls(document_id=document_id, debtor_ref=headers.get(DEBTOR_HEADER) or "")
