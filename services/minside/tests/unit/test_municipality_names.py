from minside.bootstrap import municipality_names
from minside.config import MinsideSettings


def test_names_come_from_the_register_of_municipalities() -> None:
    names = municipality_names(MinsideSettings())

    assert names["3301"] == "Drammen kommune"
    assert names["0711"] == "Svelvik kommune"


def test_the_offices_own_name_wins_over_the_registers() -> None:
    settings = MinsideSettings(municipality_names={"3301": "Drammen kommune (kemneren)"})

    assert municipality_names(settings)["3301"] == "Drammen kommune (kemneren)"
