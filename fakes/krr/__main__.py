"""``python -m fakes.krr --port P``."""

from fakes.__main__ import main

main(service="krr")
