import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwe as jose_jwe
from joserfc.jwk import RSAKey

from contracts.claims import DebtorDetails, PostalAddress, SubmittedDebtor
from runtime.personal_data import (
    PersonalDataKeys,
    SealError,
    debtor_ref,
    decrypt_debtor_from_municipality,
    decrypt_from_municipality,
    encrypt_debtor_for_office,
    encrypt_for_office,
    mask_identity_numbers,
    open_details,
    open_sealed,
    seal,
    seal_details,
)

NUMBER = "01017012345"


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def keys_with(active: str, **sealing: bytes) -> PersonalDataKeys:
    return PersonalDataKeys(b"p" * 32, dict(sealing), active)


def test_from_strings_parses_base64url_keys_and_key_ids() -> None:
    sealing = f"old:{b64(b'o' * 32)}, new:{b64(b'n' * 32)}"

    keys = PersonalDataKeys.from_strings(b64(b"p" * 32), sealing, "new")

    assert keys.pseudonym_key == b"p" * 32
    assert keys.sealing_keys == {"old": b"o" * 32, "new": b"n" * 32}
    assert keys.active_key_id == "new"


@pytest.mark.parametrize(
    ("pseudonym", "sealing", "active"),
    [
        (b64(b"p" * 16), f"k1:{b64(b'k' * 32)}", "k1"),
        (b64(b"p" * 32), f"k1:{b64(b'k' * 16)}", "k1"),
        (b64(b"p" * 32), f"k1:{b64(b'k' * 32)}", "k2"),
        (b64(b"p" * 32), b64(b"k" * 32), "k1"),
        (b64(b"p" * 32), "", "k1"),
        ("not base64!", f"k1:{b64(b'k' * 32)}", "k1"),
    ],
)
def test_from_strings_rejects_short_missing_or_malformed_keys(
    pseudonym: str, sealing: str, active: str
) -> None:
    with pytest.raises(ValueError):
        PersonalDataKeys.from_strings(pseudonym, sealing, active)


def test_generated_keys_survive_a_round_trip_through_strings() -> None:
    keys = PersonalDataKeys.generate()

    again = PersonalDataKeys.from_strings(*keys.to_strings())

    assert again == keys


def test_repr_of_keys_does_not_reveal_key_material() -> None:
    keys = keys_with("k1", k1=b"S" * 32)

    assert "SSSS" not in repr(keys)
    assert "pppp" not in repr(keys)


def test_debtor_ref_is_stable_and_ignores_spacing() -> None:
    keys = keys_with("k1", k1=b"k" * 32)

    first = debtor_ref(keys, NUMBER)

    assert first.startswith("ref1_")
    assert "=" not in first
    assert debtor_ref(keys, NUMBER) == first
    assert debtor_ref(keys, "010170 12345") == first


def test_debtor_ref_differs_per_pseudonym_key_and_per_number() -> None:
    one = keys_with("k1", k1=b"k" * 32)
    other = PersonalDataKeys(b"q" * 32, {"k1": b"k" * 32}, "k1")

    assert debtor_ref(one, NUMBER) != debtor_ref(other, NUMBER)
    assert debtor_ref(one, NUMBER) != debtor_ref(one, "01017012346")


def test_debtor_ref_rejects_a_value_that_is_not_eleven_digits_without_echoing_it() -> None:
    keys = keys_with("k1", k1=b"k" * 32)

    with pytest.raises(ValueError) as caught:
        debtor_ref(keys, "0101701234")

    assert "0101701234" not in str(caught.value)


def test_seal_and_open_round_trip_with_a_fresh_nonce_each_time() -> None:
    keys = PersonalDataKeys.generate("k1")

    first = seal(keys, NUMBER)
    second = seal(keys, NUMBER)

    assert first.startswith("v1.k1.")
    assert NUMBER not in first
    assert first != second
    assert open_sealed(keys, first) == NUMBER
    assert open_sealed(keys, second) == NUMBER


def test_open_rejects_a_tampered_value_without_revealing_the_plaintext() -> None:
    keys = PersonalDataKeys.generate("k1")
    sealed = seal(keys, NUMBER)
    prefix, payload = sealed.rsplit(".", 1)
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw[-1] ^= 1

    with pytest.raises(SealError) as caught:
        open_sealed(keys, f"{prefix}.{b64(bytes(raw))}")

    assert NUMBER not in str(caught.value)


def test_open_rejects_a_value_sealed_under_another_context() -> None:
    keys = PersonalDataKeys.generate("k1")
    sealed = seal(keys, NUMBER, context=b"kravflyt-debtor")

    with pytest.raises(SealError):
        open_sealed(keys, sealed, context=b"kravflyt-other")


@pytest.mark.parametrize(
    "value", ["", "v1.k1", "v2.k1.AAAA", "v1.unknown.AAAA", "v1.k1.!!", "v1.k1.AA"]
)
def test_open_rejects_malformed_values_and_unknown_key_ids(value: str) -> None:
    keys = PersonalDataKeys.generate("k1")

    with pytest.raises(SealError):
        open_sealed(keys, value)


def test_value_sealed_with_the_old_active_key_still_opens_after_rotation() -> None:
    before = keys_with("old", old=b"o" * 32)
    sealed_before = seal(before, NUMBER)
    after = keys_with("new", old=b"o" * 32, new=b"n" * 32)

    sealed_after = seal(after, NUMBER)

    assert sealed_after.startswith("v1.new.")
    assert open_sealed(after, sealed_before) == NUMBER
    assert open_sealed(after, sealed_after) == NUMBER


DETAILS = DebtorDetails(
    name="Ráhkis Čáhppes-Øvrebø",
    address=PostalAddress(lines=["Storgata 1 H0101"], postal_code="9520", city="Guovdageaidnu"),
)


def test_sealed_details_open_to_the_same_name_and_address_and_show_neither() -> None:
    keys = PersonalDataKeys.generate("k1")

    sealed = seal_details(keys, DETAILS)

    assert sealed.startswith("v1.k1.")
    for clear in ("Ráhkis", "Storgata", "9520", "Guovdageaidnu"):
        assert clear not in sealed
    assert sealed != seal_details(keys, DETAILS)
    assert open_details(keys, sealed) == DETAILS


def test_details_without_an_address_round_trip() -> None:
    keys = PersonalDataKeys.generate("k1")
    details = DebtorDetails(name="Kari Nordmann", address=None)

    assert open_details(keys, seal_details(keys, details)) == details


def test_sealed_details_and_a_sealed_identity_number_cannot_stand_in_for_each_other() -> None:
    keys = PersonalDataKeys.generate("k1")

    with pytest.raises(SealError):
        open_sealed(keys, seal_details(keys, DETAILS))
    with pytest.raises(SealError):
        open_details(keys, seal(keys, NUMBER))


def test_tampered_details_fail_without_quoting_the_name() -> None:
    keys = PersonalDataKeys.generate("k1")
    prefix, payload = seal_details(keys, DETAILS).rsplit(".", 1)
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw[20] ^= 1

    with pytest.raises(SealError) as caught:
        open_details(keys, f"{prefix}.{b64(bytes(raw))}")

    assert "Ráhkis" not in str(caught.value)


def test_details_sealed_with_the_old_key_still_open_after_rotation() -> None:
    before = keys_with("old", old=b"o" * 32)
    sealed_before = seal_details(before, DETAILS)
    after = keys_with("new", old=b"o" * 32, new=b"n" * 32)

    assert open_details(after, sealed_before) == DETAILS
    assert seal_details(after, DETAILS).startswith("v1.new.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fødselsnummer 01017012345 feilet", "Fødselsnummer *********** feilet"),
        ("fnr=010170 12345.", "fnr=***********."),
        ('{"fnr": "01017012345"}', '{"fnr": "***********"}'),
        ("01017012345,31129912345", "***********,***********"),
    ],
)
def test_mask_replaces_identity_numbers(text: str, expected: str) -> None:
    assert mask_identity_numbers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "orgnr 974760673",
        "konto 123456789012",
        "0101701234567",
        "claim 3f2a9c1e-4b7d-4e21-9a6f-a01017012345",
        "id 123e4567-e89b-12d3-a456-426614174000",
        "beløp 12345 kr",
    ],
)
def test_mask_leaves_other_numbers_alone(text: str) -> None:
    assert mask_identity_numbers(text) == text


def test_jwe_for_the_office_round_trips_with_its_private_key() -> None:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_jwk = dict(RSAKey.import_key(private_key.public_key()).as_dict(private=False))
    public_jwk["kid"] = "office-2025"

    token = encrypt_for_office(public_jwk, NUMBER)

    assert token.count(".") == 4
    assert NUMBER not in token
    assert decrypt_from_municipality(pem, token) == NUMBER


def test_jwe_fails_with_seal_error_for_the_wrong_key_or_garbage() -> None:
    office = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    stranger_pem = stranger.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    token = encrypt_for_office(
        dict(RSAKey.import_key(office.public_key()).as_dict(private=False)), NUMBER
    )

    with pytest.raises(SealError):
        decrypt_from_municipality(stranger_pem, token)
    with pytest.raises(SealError):
        decrypt_from_municipality(stranger_pem, "garbage")
    with pytest.raises(SealError):
        decrypt_from_municipality(b"not a pem", token)


def office_keys() -> tuple[bytes, dict[str, object]]:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem, dict(RSAKey.import_key(private_key.public_key()).as_dict(private=False))


def test_a_whole_debtor_travels_as_one_jwe_to_the_office() -> None:
    pem, public_jwk = office_keys()
    debtor = SubmittedDebtor(
        identity_number="010170 12345", name=DETAILS.name, address=DETAILS.address
    )

    token = encrypt_debtor_for_office(public_jwk, debtor)

    for clear in (NUMBER, "Ráhkis", "Storgata", "Guovdageaidnu"):
        assert clear not in token
    opened = decrypt_debtor_from_municipality(pem, token)
    assert opened == debtor.model_copy(update={"identity_number": NUMBER})


def test_a_debtor_jwe_without_a_valid_identity_number_fails_without_quoting_it() -> None:
    pem, public_jwk = office_keys()
    bad = jose_jwe.encrypt_compact(
        {"alg": "RSA-OAEP-256", "enc": "A256GCM"},
        '{"identity_number": "12345", "name": "Ráhkis"}',
        RSAKey.import_key(public_jwk),
        algorithms=["RSA-OAEP-256", "A256GCM"],
    )

    with pytest.raises(SealError) as caught:
        decrypt_debtor_from_municipality(pem, bad)

    assert "Ráhkis" not in str(caught.value)
    assert "12345" not in str(caught.value)
    with pytest.raises(SealError):
        decrypt_debtor_from_municipality(pem, encrypt_for_office(public_jwk, NUMBER))
