"""``python -m fakes.digipost --port P``."""

from fakes.__main__ import main

main(service="digipost")
