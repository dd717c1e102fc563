"""Create Kravflyt's Kafka topics: ``kravflyt bus ensure-topics`` under its old path.

The Kravflyt image copies this file to /opt/kravflyt/kafka_topics.py, where docker compose and
the Helm hook Job run it:

    python /opt/kravflyt/kafka_topics.py --partitions 12 --replication-factor 3

It only hands its arguments to the command, which reads the bus address and credentials from the
same KRAVFLYT_* variables as the services. Call the command directly where you can; this path
goes once compose and the chart do.
"""

from __future__ import annotations

import sys

from runtime.cli import app


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    app(["bus", "ensure-topics", *args], prog_name="kafka_topics.py")


if __name__ == "__main__":
    main()
