"""The text catalogue: every language says everything, municipalities reword what they want."""

from __future__ import annotations

import pytest

from notification.domain.notice import LANGUAGES, STEP_KINDS
from notification.letters.catalogue import Catalogue


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("step", STEP_KINDS)
def test_every_language_has_every_text_of_every_step(catalogue, language, step):
    reference = catalogue.texts("3301", "nb", step)

    texts = catalogue.texts("3301", language, step)

    assert set(texts) == set(reference)
    assert all(value.strip() for value in texts.values())


def test_every_letter_names_the_nav_debt_advice_line(catalogue):
    for language in LANGUAGES:
        assert "55 55 33 39" in catalogue.texts("3303", language, "purring")["help"]


def test_a_municipality_rewords_its_own_letters_only(catalogue):
    assert catalogue.texts("3312", "nb", "purring")["help"].startswith(
        "Kan du ikke betale alt nå? Ring oss"
    )
    assert catalogue.texts("3301", "nb", "purring")["help"].startswith(
        "Kan du ikke betale alt nå? Ta kontakt"
    )


def test_a_municipality_overrides_the_office_defaults(catalogue):
    kongsberg = catalogue.profile("3303")

    assert (kongsberg.name, kongsberg.phone) == ("Kongsberg kommune", "32 86 50 00")
    assert catalogue.profile("3301").phone == "32 04 00 00"
    assert "<svg" in kongsberg.logo_svg


def test_an_unknown_municipality_has_no_creditor_name(catalogue):
    assert catalogue.profile("9999").name is None
