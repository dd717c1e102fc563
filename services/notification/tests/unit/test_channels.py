"""Channel choice from KRR's answer at dispatch."""

from __future__ import annotations

import pytest

from notification.domain.channels import NOT_REGISTERED, ContactInfo, alert_channel, choose_route


def person(**overrides) -> ContactInfo:
    values = {
        "registered": True,
        "reserved": False,
        "mailbox_provider": "digipost",
        "can_notify": True,
        "mobile": "+4799999999",
        "email": "a@example.invalid",
    }
    values.update(overrides)
    return ContactInfo(**values)


def route(contact, *, kind="person", identity=True, step="purring"):
    return choose_route(step_kind=step, debtor_kind=kind, has_identity=identity, contact=contact)


@pytest.mark.parametrize(
    ("contact", "channel"),
    [
        (person(), "digipost"),
        (person(reserved=True), "svarut"),
        (person(mailbox_provider=None), "svarut"),
        (person(mailbox_provider="eboks"), "svarut"),
        (NOT_REGISTERED, "svarut"),
        (None, "svarut"),
    ],
    ids=["mailbox", "reserved", "no-mailbox", "eboks", "not-in-krr", "no-answer"],
)
def test_a_person_gets_the_digital_mailbox_unless_reserved_or_without_one(contact, channel):
    assert route(contact).channel == channel


def test_an_organisation_goes_through_svarut_to_altinn():
    r = route(None, kind="organisation")

    assert (r.channel, r.altinn) == ("svarut", True)


def test_a_debtor_without_identity_number_is_printed():
    assert route(None, identity=False).channel == "print"


def test_an_sms_reminder_goes_by_sms_even_to_a_reserved_person():
    assert route(person(reserved=True), step="sms_paminnelse").channel == "sms"


def test_an_sms_reminder_falls_back_to_a_letter_when_the_person_may_not_be_notified():
    assert route(person(can_notify=False), step="sms_paminnelse").channel == "digipost"


def test_a_printed_letter_gets_an_sms_alert_when_krr_allows_it():
    r = route(person(reserved=True))

    assert alert_channel(r, person(reserved=True)) == "sms"
    assert alert_channel(r, person(reserved=True, can_notify=False)) is None
    assert alert_channel(route(person()), person()) is None


def test_contact_details_stay_out_of_the_representation():
    assert "+47" not in repr(person())
