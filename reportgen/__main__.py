"""`python -m reportgen` runs the same CLI as the `reportgen` console script."""

from reportgen.cli import main

main()
