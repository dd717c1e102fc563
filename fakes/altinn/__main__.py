"""``python -m fakes.altinn --port P``."""

from fakes.__main__ import main

main(service="altinn")
