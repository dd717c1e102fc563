from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rules.municipalities import register_from
from runtime.cli import app

runner = CliRunner()


@pytest.fixture
def office_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "municipalities.toml"
    monkeypatch.setenv("KRAVFLYT_MUNICIPALITIES_FILE", str(path))
    return path


def test_the_list_shows_drammen_3005_and_its_successor() -> None:
    result = runner.invoke(app, ["municipalities", "list"])

    assert result.exit_code == 0, result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("3005")]
    assert "2020-01-01 – 2024-01-01" in line
    assert line.endswith("→ 3301")


def test_show_names_whose_claims_drammen_collects() -> None:
    result = runner.invoke(app, ["municipalities", "show", "3301", "--on", "2026-12-04"])

    assert result.exit_code == 0, result.output
    assert "collects the claims of 0711 from 2024-01-01" in result.output


def test_show_of_a_split_municipality_names_every_successor() -> None:
    result = runner.invoke(app, ["municipalities", "show", "5012"])

    assert "claims collected on" in result.output
    assert "5055, 5056, 5059" in result.output


def merge_lier(*extra: str) -> list[str]:
    return [
        "municipalities", "merge", "3312", "--into", "3301", "--on", "2027-01-01",
        "--by", "ola.operator", "--reason", "Kgl. res. 2026-06-01", *extra,
    ]  # fmt: skip


def test_a_merger_is_a_dry_run_until_applied(office_file: Path) -> None:
    result = runner.invoke(app, merge_lier())

    assert result.exit_code == 0, result.output
    assert "From 2027-01-01 the claims of 3312 Lier are collected by 3301." in result.output
    assert not office_file.exists()


def test_an_applied_merger_is_recorded_in_the_office_file_and_takes_effect(
    office_file: Path,
) -> None:
    result = runner.invoke(app, [*merge_lier(), "--apply"])

    assert result.exit_code == 0, result.output
    assert "merge by ola.operator: Kgl. res. 2026-06-01" in office_file.read_text()
    register = register_from(str(office_file))
    assert register.creditor_on("3312", date(2026, 12, 31)) == "3312"
    assert register.creditor_on("3312", date(2027, 1, 1)) == "3301"


def test_a_merger_of_a_municipality_no_longer_in_force_is_refused(office_file: Path) -> None:
    result = runner.invoke(
        app,
        ["municipalities", "merge", "3005", "--into", "3301", "--on", "2027-01-01",
         "--by", "ola", "--reason", "r", "--apply"],
    )  # fmt: skip

    assert result.exit_code != 0
    assert not office_file.exists()


def test_an_applied_departure_is_recorded_and_takes_effect_on_its_day(office_file: Path) -> None:
    result = runner.invoke(
        app,
        ["municipalities", "leave", "3312", "--on", "2027-01-01",
         "--by", "ola.operator", "--reason", "Avtalen sagt opp", "--apply"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "leave by ola.operator: Avtalen sagt opp" in office_file.read_text()
    register = register_from(str(office_file))
    assert not register.has_left("3312", date(2026, 12, 31))
    assert register.has_left("3312", date(2027, 1, 1))


def test_a_departure_is_a_dry_run_until_applied(office_file: Path) -> None:
    result = runner.invoke(
        app,
        ["municipalities", "leave", "3312", "--on", "2027-01-01", "--by", "ola", "--reason", "r"],
    )

    assert result.exit_code == 0, result.output
    assert not office_file.exists()
