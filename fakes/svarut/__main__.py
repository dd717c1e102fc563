"""``python -m fakes.svarut --port P``."""

from fakes.__main__ import main

main(service="svarut")
