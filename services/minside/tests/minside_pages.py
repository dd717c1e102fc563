"""Reading hidden form fields out of rendered pages."""

from __future__ import annotations

import httpx


def hidden(page: httpx.Response, name: str) -> str:
    """The value of the first hidden input called ``name``."""
    marker = f'name="{name}" value="'
    start = page.text.index(marker) + len(marker)
    return page.text[start : page.text.index('"', start)]


def csrf_of(page: httpx.Response) -> str:
    return hidden(page, "csrf_token")


def form_token_of(page: httpx.Response) -> str:
    return hidden(page, "form_token")
