"""Server-rendered pages: Jinja templates with the citizen's language and helpers."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from minside.domain.claims import Claim, amount_today, next_deadline
from minside.domain.story import Line
from minside.web.i18n import LANGUAGES, Translator, pick_language
from rules.calendar import oslo_today
from rules.rates import Rates
from runtime.db import Clock

LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}
LANG_COOKIE = "minside-lang"


def language_of(request: Request) -> str:
    """The language chosen (cookie) or asked for by the browser."""
    return pick_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def format_account(number: str | None) -> str:
    """An account number as banks print it: 1234.56.78903."""
    if not number or len(number) != 11 or not number.isdigit():
        return number or ""
    return f"{number[:4]}.{number[4:6]}.{number[6:]}"


class Renderer:
    """Renders a template with everything every page needs."""

    def __init__(self, municipality_names: dict[str, str], clock: Clock, rates: Rates) -> None:
        self.env = Environment(
            loader=PackageLoader("minside.web", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
            # Templates ship with the code: no stat of the file on every page.
            auto_reload=False,
        )
        self.names = municipality_names
        self.clock = clock
        self.rates = rates

    def page(
        self,
        request: Request,
        template: str,
        title_key: str,
        *,
        status_code: int = 200,
        today: date | None = None,
        **context: Any,
    ) -> HTMLResponse:
        """The page as an HTML response in the citizen's language."""
        t = Translator(language_of(request))
        day = today or oslo_today(self.clock())

        def say(line: Line) -> str:
            key = line.key if t.has(line.key) else "story.unknown"
            return t(key, **line.params)

        def claim_title(claim: Claim) -> str:
            return claim.description or t("claim_type." + claim.claim_type)

        base = {
            "t": t,
            "lang": t.lang,
            "languages": LANGUAGES,
            "language_names": LANGUAGE_NAMES,
            "session": getattr(request.state, "session", None),
            "path": request.url.path,
            "title": t(title_key),
            "today": day,
            "say": say,
            "claim_title": claim_title,
            "amount_today": lambda c, on: amount_today(c, on, self.rates),
            "next_deadline_of": lambda c: next_deadline(c, day),
            "municipality_name": lambda k: self.names.get(k) or t("municipality.unknown", number=k),
            "account": format_account,
            "current": None,
            "errors": {},
            "values": {},
        }
        html = self.env.get_template(template).render(base | context)
        return HTMLResponse(html, status_code=status_code)
