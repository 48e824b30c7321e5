"""``python -m unionqa.cli``."""

from . import main

main()
