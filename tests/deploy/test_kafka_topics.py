"""deploy/scripts/kafka_topics.py: which topics, with which settings, from which variables."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest
from deploy_helpers import REPO

from contracts.registry import EVENTS
from runtime.bus import DEAD_LETTER_TYPE, subject_for

SCRIPT = REPO / "deploy" / "scripts" / "kafka_topics.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kravflyt_deploy_kafka_topics", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_one_topic_per_event_type_and_the_dead_letters():
    topics = load_script().wanted_topics(partitions=12, replication_factor=3)

    names = {t.name for t in topics}
    assert names == {subject_for(e) for e in EVENTS} | {subject_for(DEAD_LETTER_TYPE)}
    assert all(t.num_partitions == 12 and t.replication_factor == 3 for t in topics)
    dead = next(t for t in topics if t.name == subject_for(DEAD_LETTER_TYPE))
    assert dead.topic_configs["retention.ms"] == "-1", "dead letters wait for an operator"


def test_connection_options_come_from_the_services_variables():
    script = load_script()

    options = script.client_options(
        {
            "KRAVFLYT_BUS_URL": "kafka://b-1:9096,b-2:9096",
            "KRAVFLYT_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KRAVFLYT_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "KRAVFLYT_KAFKA_SASL_USERNAME": "kravflyt",
            "KRAVFLYT_KAFKA_SASL_PASSWORD": "secret",
        }
    )

    assert options["bootstrap_servers"] == ["b-1:9096", "b-2:9096"]
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "kravflyt"
    assert options["ssl_context"] is not None


def test_a_nats_bus_needs_no_topics():
    with pytest.raises(SystemExit, match="NATS"):
        load_script().client_options({"KRAVFLYT_BUS_URL": "nats://127.0.0.1:4222"})
