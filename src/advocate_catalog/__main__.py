"""`python -m advocate_catalog` is the same tool as `advocate-catalog`."""

from .cli import main

main(prog_name="advocate-catalog")
