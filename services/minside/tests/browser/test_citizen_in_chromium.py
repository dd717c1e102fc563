"""Min side in headless Chromium: logging in through the provider's own pages, opening a
letter, paying with (fake) Vipps, and asking for a plan with the keyboard alone."""

from __future__ import annotations

from typing import Any

from minside_chromium import citizen, log_in
from minside_factories import balance, case_opened, paused, payment, plan_agreed

# A focused control shows an outline or ring (Designsystemet draws it on the field for
# checkboxes and radios); the skip link shows itself.
FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  const ring = (n) => {
    if (!n) return false;
    const s = getComputedStyle(n);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
  };
  if (el.classList.contains('ds-skip-link')) return el.getBoundingClientRect().width > 1;
  return ring(el) || ring(el.closest('.ds-field'));
}"""


async def test_a_citizen_logs_in_through_the_provider_and_sees_her_claims_and_letter(
    served, chromium, screenshots
):
    kari = await citizen(served)

    page = await log_in(served, chromium, kari["user"], shots=screenshots)
    await page.screenshot(path=str(screenshots / "03-overview.png"), full_page=True)
    overview = (await page.inner_text("main")).replace("\u00a0", " ")
    await page.get_by_role("link", name="Vann og avløp, 2. termin").click()
    await page.screenshot(path=str(screenshots / "04-claim.png"), full_page=True)
    explains_next = await page.get_by_role("heading", name="Hva skjer videre").is_visible()
    letter = await page.request.get(f"/letters/{kari['notice']}")
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.screenshot(path=str(screenshots / "10-claim-phone.png"), full_page=True)
    await page.goto("/")
    await page.screenshot(path=str(screenshots / "11-overview-phone.png"), full_page=True)
    scrolls = await page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")

    assert "Drammen kommune" in overview and "Kongsberg kommune" in overview
    assert "Kulturskole vår" not in overview
    assert "960,00 kr" in overview  # Kongsberg: the principal, due date still ahead
    assert explains_next
    assert letter.status == 200 and letter.headers["content-type"] == "application/pdf"
    assert not scrolls, "the page scrolls sideways on a phone (WCAG 1.4.10 reflow)"
    await page.context.close()


async def test_paying_with_fake_vipps_lowers_the_balance_once_the_payment_event_arrives(
    served, chromium, screenshots
):
    kari = await citizen(served)
    page = await log_in(served, chromium, kari["user"])

    await page.goto(f"/pay?claim={kari['helse']}")
    await page.screenshot(path=str(screenshots / "05-pay.png"), full_page=True)
    await page.get_by_role("button", name="Betal 960,00\u00a0kr med Vipps").click()
    await page.wait_for_url("**/pay/done**")
    await page.screenshot(path=str(screenshots / "06-pay-done.png"), full_page=True)
    received, allocated = payment(kari["helse"], 96_000)
    await served.apply(
        received,
        allocated,
        balance(kari["ref"], kari["helse"], principal_ore=0, paid_ore=96_000, cause="payment"),
    )
    await page.goto("/")
    overview = await page.inner_text("main")

    assert [
        p["amount_ore"] for p in served.payments.payments.values() if p["debtor_ref"] == kari["ref"]
    ] == [96_000]
    assert "Kongsberg kommune" not in overview
    await page.goto("/history")
    await page.screenshot(path=str(screenshots / "07-history.png"), full_page=True)
    assert "Praktisk bistand oktober" in await page.inner_text("main")
    await page.context.close()


async def _tab_to(page: Any, matches: str, limit: int = 80) -> None:
    """Press Tab until the focused element satisfies the JS predicate ``matches(el)``."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate(
            f"() => {{ const el = document.activeElement; return !!el && ({matches})(el); }}"
        ):
            assert await page.evaluate(FOCUS_VISIBLE), f"no focus indicator on {matches}"
            return
    raise AssertionError(f"Tab never reached {matches}")


async def test_keyboard_only_a_plan_within_limits_is_granted_and_one_outside_is_pending(
    served, chromium, screenshots
):
    kari = await citizen(served)
    page = await log_in(served, chromium, kari["user"])

    await page.goto("/")
    await _tab_to(page, "el => el.classList.contains('ds-skip-link')")
    await _tab_to(
        page, "el => el.textContent.includes('Søk om betalingsavtale for krav fra Kongsberg')"
    )
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/requests/new/plan**")
    await _tab_to(page, "el => el.id === 'choice-monthly'")
    await page.keyboard.press("ArrowDown")
    await _tab_to(page, "el => el.id === 'months'")
    await page.keyboard.type("3")
    await _tab_to(page, "el => el.type === 'submit'")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/plan/preview")
    await page.screenshot(path=str(screenshots / "08-plan-preview.png"), full_page=True)
    await _tab_to(page, "el => el.textContent.includes('Send søknaden')")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/requests/*")
    received = await page.inner_text("#request-status")
    case = case_opened(kari["ref"], [kari["helse"]])
    await served.apply(case, plan_agreed(case.payload.case_id, [kari["helse"]], kari["ref"]))
    await page.reload()
    await page.screenshot(path=str(screenshots / "09-plan-granted.png"), full_page=True)
    granted = await page.inner_text("#request-status")

    await page.goto(f"/requests/new/plan?claim={kari['vann']}")
    await page.fill("#monthly_kroner", "50")
    await page.get_by_role("button", name="Se nedbetalingsplanen").click()
    await page.get_by_role("button", name="Send søknaden").click()
    await page.wait_for_url("**/requests/*")
    vann_case = kari["case"]
    await served.apply(paused(vann_case, "caseworker"))
    await page.reload()
    pending = await page.inner_text("#request-status")

    assert "Mottatt" in received
    assert "Innvilget" in granted
    assert "Til behandling hos saksbehandler" in pending
    await page.context.close()
