"""The dates a daily run may take steps on (pure rules)."""

from datetime import date

import pytest

from dunning.domain.errors import DunningError
from dunning.domain.run_dates import catch_up_days, daily_run_date
from dunning.shards import parse_shard

TODAY = date(2026, 3, 20)


def test_the_daily_run_is_for_today_when_no_date_or_today_is_given():
    assert daily_run_date(None, TODAY) == TODAY
    assert daily_run_date(TODAY, TODAY) == TODAY


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2026, 3, 21), "run.date_in_future"),
        (date(2316, 10, 8), "run.date_in_future"),
        (date(2026, 3, 19), "run.date_in_past"),
    ],
)
def test_a_daily_run_for_any_other_date_is_refused_with_its_reason(day, code):
    with pytest.raises(DunningError) as refused:
        daily_run_date(day, TODAY)

    assert refused.value.code == code


def test_a_catch_up_runs_every_missed_day_up_to_yesterday_in_order():
    assert catch_up_days(date(2026, 3, 17), TODAY, 7) == [
        date(2026, 3, 17),
        date(2026, 3, 18),
        date(2026, 3, 19),
    ]
    assert catch_up_days(date(2026, 3, 13), TODAY, 7)[0] == date(2026, 3, 13)


@pytest.mark.parametrize(
    ("first", "code"),
    [
        (date(2026, 3, 12), "run.catch_up_too_far"),
        (date(1, 1, 1), "run.catch_up_too_far"),
        (TODAY, "run.catch_up_not_past"),
        (date(2026, 3, 25), "run.catch_up_not_past"),
    ],
)
def test_a_catch_up_of_today_the_future_or_too_far_back_is_refused(first, code):
    with pytest.raises(DunningError) as refused:
        catch_up_days(first, TODAY, 7)

    assert refused.value.code == code


@pytest.mark.parametrize("text", ["5773/156847149337395", "3/2", "0/0", "1/", "/1", "-1/2", "٣/٤"])
def test_a_shard_outside_0_le_i_lt_n_le_1024_is_refused(text):
    with pytest.raises(DunningError) as refused:
        parse_shard(text)

    assert refused.value.code == "run.shard_invalid"


def test_a_shard_is_read_as_index_and_count():
    assert parse_shard("2/1024") == (2, 1024)


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["run", "--date", "2316-10-08"], "run.date_in_future"),
        (["run", "--shard", "5773/156847149337395"], "run.shard_invalid"),
        (
            ["catch-up", "--since", "2000-01-01", "--reason", "x", "--by", "ola"],
            "run.catch_up_too_far",
        ),
    ],
)
def test_the_command_line_refuses_the_same_dates_and_shards_before_touching_the_database(
    argv, code, monkeypatch
):
    from typer.testing import CliRunner

    from dunning.service import commands

    monkeypatch.setenv("KRAVFLYT_DUNNING_DATABASE_URL", "postgresql+asyncpg://nobody@/none?host=/x")

    result = CliRunner().invoke(commands, argv)

    assert result.exit_code == 2
    assert code in result.output
