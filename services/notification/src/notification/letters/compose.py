"""A notice, its municipality's profile and the texts → the data the typst layout prints.

Everything here is plain strings: the layout shows them as text, so nothing a municipality
or a debtor wrote can ever become typst markup.
"""

from __future__ import annotations

from typing import Any

from notification.domain.compliance import parse_rate
from notification.domain.formatting import (
    format_account,
    format_amount,
    format_date,
    format_rate,
)
from notification.domain.notice import Notice
from notification.letters.catalogue import Profile, Texts


def fill(template: str, values: dict[str, str]) -> str:
    """``template`` with its {placeholders} replaced; unknown ones stay visible, never raise."""
    return template.format_map(_Lenient(values))


def letter_values(notice: Notice, profile: Profile) -> dict[str, str]:
    """The formatted values texts may name."""
    lang = notice.language
    rate = parse_rate(notice.interest_rate_percent)
    return {
        "creditor": profile.name or "",
        "office": profile.office,
        "deadline": format_date(notice.deadline_date, lang) if notice.deadline_date else "",
        "total": format_amount(notice.total_ore or 0, lang),
        "account": format_account(notice.account_number or profile.account_number),
        "kid": notice.kid or "",
        "rate": format_rate(rate, lang) if rate is not None else "",
        "interest_from": format_date(notice.interest_from, lang) if notice.interest_from else "",
        "new_fee": format_amount(notice.new_fee_ore, lang),
        "minside_url": profile.minside_url,
        "phone": profile.phone,
        "email": profile.email,
        "orgnr": profile.orgnr,
        "legal_basis": notice.legal_basis,
        "sent": format_date(notice.sent_date, lang),
    }


def compose_letter(notice: Notice, profile: Profile, texts: Texts) -> dict[str, Any]:
    """The JSON document ``letter.typ`` lays out."""
    values = letter_values(notice, profile)
    t = {key: fill(text, values) for key, text in texts.items()}
    return {
        "lang": notice.language,
        "title": t["title"],
        "doc_title": f"{t['title']} – {profile.name}",
        "author": profile.name,
        "logo_alt": t["logo_alt"],
        "sender": _sender(profile, t),
        "recipient": _recipient(notice),
        "meta": _meta(notice, t, values),
        "intro": t["intro"],
        "table": _table(notice, t),
        "fee_note": t["new_fee"] if notice.new_fee_ore else "",
        "interest": t["interest"] if values["rate"] and values["interest_from"] else "",
        "payment": _payment(notice, t, values),
        "sections": _sections(notice, t),
        "legal": t["legal"],
        "footer": t["on_behalf"],
    }


def _sender(profile: Profile, t: Texts) -> dict[str, Any]:
    lines = [profile.department, *profile.address_lines, f"{profile.postal_code} {profile.city}"]
    contact = [t["contact"], " · ".join(p for p in (profile.web, _orgnr(profile, t)) if p)]
    return {
        "name": profile.name or profile.office,
        "lines": [line for line in lines if line.strip()],
        "contact": [line for line in contact if line],
    }


def _orgnr(profile: Profile, t: Texts) -> str:
    return t["orgnr"] if profile.orgnr else ""


def _recipient(notice: Notice) -> dict[str, Any]:
    address = notice.debtor_address
    lines = []
    if address is not None:
        lines = [*address.lines, f"{address.postal_code} {address.city}"]
        if address.country != "NO":
            lines.append(address.country)
    return {"name": notice.debtor_name, "lines": lines}


def _meta(notice: Notice, t: Texts, values: dict[str, str]) -> list[list[str]]:
    return [
        [t["meta_date"], values["sent"]],
        [t["meta_case"], str(notice.case_id)[:8].upper()],
        [t["meta_kid"], values["kid"]],
    ]


def _table(notice: Notice, t: Texts) -> dict[str, Any]:
    lang = notice.language
    rows = []
    for claim in notice.claims:
        p, i, f = claim.principal_ore or 0, claim.interest_ore or 0, claim.fees_ore or 0
        detail_key = "claim_detail" if claim.due_date else "claim_detail_no_due"
        due = format_date(claim.due_date, lang) if claim.due_date else ""
        detail = fill(t[detail_key], {"invoice_number": claim.invoice_number, "due_date": due})
        amounts = [format_amount(v, lang) for v in (p, i, f, p + i + f)]
        rows.append({"claim": claim.description, "detail": detail, "amounts": amounts})
    totals = (notice.principal_ore, notice.interest_ore, notice.fees_ore, notice.total_ore)
    return {
        "title": t["table_title"],
        "header": [
            t["col_claim"],
            t["col_principal"],
            t["col_interest"],
            t["col_fees"],
            t["col_sum"],
        ],
        "rows": rows,
        "total": [t["total_row"], *[format_amount(v or 0, lang) for v in totals]],
    }


def _payment(notice: Notice, t: Texts, values: dict[str, str]) -> dict[str, Any]:
    rows = [
        [t["pay_amount"], values["total"]],
        [t["pay_account"], values["account"]],
        [t["pay_kid"], values["kid"]],
    ]
    if values["deadline"]:
        rows.append([t["pay_deadline"], values["deadline"]])
    return {"title": t["pay_title"], "rows": rows, "note": t["pay_note"]}


def _sections(notice: Notice, t: Texts) -> list[dict[str, str]]:
    objection = t["object"] if notice.deadline_date else t["object_no_deadline"]
    return [
        {"title": t["consequence_title"], "body": t["consequence"]},
        {"title": t["object_title"], "body": objection},
        {"title": t["help_title"], "body": f"{t['help']} {t['minside']}"},
    ]


class _Lenient(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
