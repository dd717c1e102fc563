"""Render a notice from posted data without storing or sending anything."""

from __future__ import annotations

from notification.domain.compliance import check_notice
from notification.domain.errors import NotificationError, problem
from notification.domain.notice import Notice
from notification.letters.render import RenderedLetter, Renderer, RenderError


async def preview_notice(renderer: Renderer, notice: Notice) -> RenderedLetter:
    """The letter as it would go out; the same compliance check refuses what the law forbids."""
    notice = renderer.complete(notice)
    problems = check_notice(notice, creditor=renderer.creditor(notice))
    if problems:
        raise NotificationError(*problems)
    try:
        return await renderer.render(notice)
    except RenderError as error:
        raise NotificationError(problem("render.failed", str(error))) from None
