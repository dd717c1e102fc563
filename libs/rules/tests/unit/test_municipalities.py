from datetime import date, timedelta
from pathlib import Path

import pytest

from rules.municipalities import (
    DEFAULT_REGISTER,
    InvalidRegister,
    NotASuccessor,
    SplitMunicipality,
    UnknownMunicipality,
    dump_departure,
    dump_municipalities,
    load_register,
    merger,
    register_from,
)

REGISTER = load_register()
BEFORE_2020 = date(2019, 12, 31)
IN_2020 = date(2020, 1, 1)
IN_2024 = date(2024, 1, 1)
TODAY = date(2026, 12, 4)
IN_2027 = date(2027, 1, 1)

SMALL = """
[[municipality]]
number = "0711"
name = "Svelvik"
valid_to = 2020-01-01
successors = ["3005"]

[[municipality]]
number = "3005"
name = "Drammen"
valid_from = 2020-01-01
"""


def write_register(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "register.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_drammen_0602_became_3005_in_2020_and_3301_in_2024() -> None:
    assert REGISTER.serving("0602", BEFORE_2020) == ("0602",)
    assert REGISTER.serving("0602", IN_2020) == ("3005",)
    assert REGISTER.serving("0602", IN_2024) == ("3301",)
    assert REGISTER.serving("3005", date(2023, 12, 31)) == ("3005",)


@pytest.mark.parametrize(
    ("old", "today"),
    [
        ("0711", "3301"),  # Svelvik into Drammen
        ("0625", "3301"),  # Nedre Eiker into Drammen
        ("0220", "3203"),  # Asker
        ("0627", "3203"),  # Røyken into Asker
        ("0628", "3203"),  # Hurum into Asker
        ("3025", "3203"),
        ("0713", "3903"),  # Sande into Holmestrand
        ("0715", "3903"),
        ("3802", "3903"),
        ("0604", "3303"),  # Kongsberg
        ("3006", "3303"),
        ("0626", "3312"),  # Lier
        ("3049", "3312"),
        ("0616", "3322"),  # Nes became Nesbyen
        ("0716", "3905"),  # Re into Tønsberg
        ("1571", "5055"),  # Halsa into Heim
    ],
)
def test_an_old_number_is_served_today_by_its_successor(old: str, today: str) -> None:
    assert REGISTER.creditor_on(old, TODAY) == today


def test_a_municipality_in_force_serves_itself() -> None:
    assert REGISTER.creditor_on("3301", TODAY) == "3301"


def test_snillfjord_split_in_2020_names_orkland_heim_and_hitra_as_candidates() -> None:
    with pytest.raises(SplitMunicipality) as refused:
        REGISTER.creditor_on("5012", TODAY)

    assert refused.value.code == "municipality.split"
    assert refused.value.candidates == ("5055", "5056", "5059")
    assert "5055, 5056, 5059" in refused.value.message


def test_a_split_municipality_is_served_by_the_successor_named() -> None:
    assert REGISTER.creditor_on("5012", TODAY, named="5059") == "5059"


def test_a_named_municipality_that_is_no_successor_is_refused() -> None:
    with pytest.raises(NotASuccessor) as refused:
        REGISTER.creditor_on("5012", TODAY, named="3301")

    assert refused.value.code == "municipality.not_successor"


def test_an_unknown_number_is_refused() -> None:
    with pytest.raises(UnknownMunicipality):
        REGISTER.creditor_on("9999", TODAY)


def test_a_number_asked_for_before_it_existed_is_refused() -> None:
    with pytest.raises(UnknownMunicipality):
        REGISTER.serving("3301", BEFORE_2020)


def test_drammen_took_over_drammen_svelvik_and_nedre_eiker() -> None:
    assert REGISTER.predecessors("3301") == ("0602", "0625", "0711", "3005")


def test_renumbering_keeps_the_organisation_number() -> None:
    numbers = ("0604", "3006", "3303")

    assert {REGISTER.get(n).orgnr for n in numbers} == {"942402465"}


def test_names_fall_back_to_bokmal_where_no_other_is_official(tmp_path: Path) -> None:
    path = write_register(tmp_path, SMALL.replace('name = "Drammen"', 'name = "X"\nname_se = "Y"'))

    drammen = load_register(path).get("3005")

    assert drammen.name_in("se") == "Y"
    assert drammen.name_in("nn") == "X"


def test_in_force_is_exclusive_of_the_end_day() -> None:
    svelvik = REGISTER.get("0711")

    assert svelvik.in_force(BEFORE_2020)
    assert not svelvik.in_force(IN_2020)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (('name = "Svelvik"', 'name = "Svelvik"\nfylke = "Vestfold"'), "unknown key"),
        (('number = "0711"', 'number = "711"'), "three digits"),
        (('number = "0711"', "number = 711"), "number not text"),
        (('number = "0711"', 'number = "3005"'), "repeated"),
        (('successors = ["3005"]', 'successors = ["3006"]'), "successor not listed"),
        (('successors = ["3005"]', "successors = []"), "end without successors"),
        (("valid_to = 2020-01-01", "valid_to = 2019-12-31"), "successor not yet in force"),
        (("valid_to = 2020-01-01", "valid_to = 2020-01-01T00:00:00"), "date-time"),
        (('name = "Svelvik"', 'name = ""'), "empty name"),
        (('name = "Svelvik"', 'name = "Svelvik"\norgnr = "921234555"'), "orgnr check digit"),
        (('name = "Svelvik"', 'name = "Svelvik"\norgnr = "921 234 554"'), "orgnr with spaces"),
    ],
)
def test_a_malformed_register_is_refused_whole(
    tmp_path: Path, change: tuple[str, str], why: str
) -> None:
    path = write_register(tmp_path, SMALL.replace(*change, 1))

    with pytest.raises(InvalidRegister) as refused:
        load_register(path)

    assert refused.value.code == "municipalities.invalid", why


def test_successors_without_an_end_are_refused(tmp_path: Path) -> None:
    text = SMALL + '\n[[municipality]]\nnumber = "3301"\nname = "D"\nsuccessors = ["3005"]\n'

    with pytest.raises(InvalidRegister):
        load_register(write_register(tmp_path, text))


def test_a_valid_register_file_loads(tmp_path: Path) -> None:
    register = load_register(write_register(tmp_path, SMALL))

    assert register.creditor_on("0711", TODAY) == "3005"


def test_the_packaged_register_names_its_source() -> None:
    text = Path(__file__).parents[2].joinpath("src/rules/data/municipalities.toml").read_text()

    assert "KLASS classification 131" in text


def test_an_office_file_adds_a_merger_to_the_packaged_register(tmp_path: Path) -> None:
    office = """
[[municipality]]
number = "3303"
name = "Kongsberg"
valid_from = 2024-01-01
valid_to = 2027-01-01
successors = ["3399"]

[[municipality]]
number = "3399"
name = "Kongsberg og Flesberg"
valid_from = 2027-01-01
"""

    register = register_from(str(write_register(tmp_path, office)))

    assert register.creditor_on("0604", date(2026, 12, 31)) == "3303"
    assert register.creditor_on("0604", date(2027, 1, 1)) == "3399"
    assert register.creditor_on("3301", date(2027, 1, 1)) == "3301"


def test_no_office_file_means_the_packaged_register() -> None:
    assert register_from("") is DEFAULT_REGISTER


def test_drammen_3301_collects_its_predecessors_claims_from_2024() -> None:
    collections = {c.number: (c.start, c.end) for c in REGISTER.collected_by("3301")}

    assert collections == {
        "3301": (date.min, date.max),
        "3005": (IN_2024, date.max),
        "0602": (IN_2024, date.max),
        "0625": (IN_2024, date.max),
        "0711": (IN_2024, date.max),
    }


def test_drammen_3005_collected_from_2020_until_its_renumbering() -> None:
    collections = {c.number: (c.start, c.end) for c in REGISTER.collected_by("3005")}

    assert collections["3005"] == (date.min, IN_2024)
    assert collections["0711"] == (IN_2020, IN_2024)


def test_no_successor_collects_a_split_municipalitys_claims() -> None:
    assert [c.number for c in REGISTER.collected_by("5059")] == ["5059", "5016", "5023", "5024"]


def test_a_merger_into_a_new_number_ends_the_old_ones_and_adds_the_new(tmp_path: Path) -> None:
    changes = merger(REGISTER, ["3303", "3336"], "3399", date(2027, 1, 1), "Kongsberg og Flesberg")

    path = write_register(tmp_path, dump_municipalities(changes))
    register = register_from(str(path))

    assert register.creditor_on("3303", date(2026, 12, 31)) == "3303"
    assert register.creditor_on("0604", date(2027, 1, 1)) == "3399"
    assert register.creditor_on("3336", date(2027, 1, 1)) == "3399"
    assert register.get("3303").orgnr == "942402465"


def test_a_merger_into_an_existing_municipality_keeps_its_number(tmp_path: Path) -> None:
    changes = merger(REGISTER, ["3312"], "3301", date(2027, 1, 1))

    register = register_from(str(write_register(tmp_path, dump_municipalities(changes))))

    assert [m.number for m in changes] == ["3312"]
    assert register.creditor_on("3312", date(2027, 1, 1)) == "3301"


@pytest.mark.parametrize(
    ("merged", "into", "name", "why"),
    [
        (["3005"], "3301", None, "3005 ended in 2024"),
        (["9999"], "3301", None, "unknown"),
        (["3312"], "3398", None, "a new number without a name"),
    ],
)
def test_an_impossible_merger_is_refused(
    merged: list[str], into: str, name: str | None, why: str
) -> None:
    with pytest.raises((InvalidRegister, UnknownMunicipality)):
        merger(REGISTER, merged, into, date(2027, 1, 1), name)


def test_a_municipality_that_left_the_office_has_left_from_that_day(tmp_path: Path) -> None:
    register = register_from(str(write_register(tmp_path, dump_departure("3312", IN_2027))))

    assert not register.has_left("3312", IN_2027 - timedelta(days=1))
    assert register.has_left("3312", IN_2027)
    assert register.has_left("0626", IN_2027)  # Lier's old number: Lier collects its claims
    assert not register.has_left("3301", IN_2027)


@pytest.mark.parametrize(
    "text",
    [
        '[[departure]]\nnumber = "9999"\non = 2027-01-01\n',
        '[[departure]]\nnumber = "3312"\n',
        '[[departure]]\nnumber = "3312"\non = "2027-01-01"\n',
        '[[departures]]\nnumber = "3312"\non = 2027-01-01\n',
    ],
)
def test_a_malformed_departure_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(InvalidRegister):
        register_from(str(write_register(tmp_path, text)))
