"""Consumer lag from offsets, and which topics `kravflyt bus ensure-topics` wants."""

from __future__ import annotations

from aiokafka import TopicPartition
from typer.testing import CliRunner

from contracts.registry import EVENTS
from runtime.bus import DEAD_LETTER_TYPE, SUBJECT_PREFIX, subject_for
from runtime.cli import app
from runtime.kafka_admin import pending_messages, wanted_topics

P0 = TopicPartition("kravflyt.claims.registered.v1", 0)
P1 = TopicPartition("kravflyt.claims.registered.v1", 1)
P2 = TopicPartition("kravflyt.claims.registered.v1", 2)


def test_lag_is_end_offset_minus_committed_offset_over_the_partitions():
    assert pending_messages({P0: 120, P1: 40}, {P0: 100, P1: 40}, {P0: 0, P1: 0}) == 20


def test_a_partition_the_group_never_committed_counts_from_its_beginning():
    # Retention deleted offsets 0..29 of P2: those will never be read, so they are not lag.
    assert pending_messages({P0: 10, P2: 50}, {P0: 10, P2: -1}, {P0: 0, P2: 30}) == 20
    assert pending_messages({P2: 50}, {}, {P2: 30}) == 20


def test_lag_is_never_negative():
    # Offsets are read in two requests; a commit may land between them.
    assert pending_messages({P0: 10}, {P0: 12}, {P0: 0}) == 0


def test_one_topic_per_event_type_and_the_dead_letters_kept_until_replayed():
    topics = wanted_topics(12, 3, dead_letter_type=DEAD_LETTER_TYPE, prefix=SUBJECT_PREFIX)

    assert {t.name for t in topics} == {subject_for(e) for e in EVENTS} | {
        subject_for(DEAD_LETTER_TYPE)
    }
    assert all(t.num_partitions == 12 and t.replication_factor == 3 for t in topics)
    dead = next(t for t in topics if t.name == subject_for(DEAD_LETTER_TYPE))
    assert dead.topic_configs["retention.ms"] == "-1", "dead letters wait for an operator"
    assert all(t.topic_configs == {} for t in topics if t is not dead)


def test_ensure_topics_refuses_a_nats_bus(monkeypatch):
    monkeypatch.setenv("KRAVFLYT_BUS_URL", "nats://127.0.0.1:4222")

    result = CliRunner().invoke(app, ["bus", "ensure-topics", "--partitions", "3"])

    assert result.exit_code == 2
    assert "NATS needs no topics" in result.output
