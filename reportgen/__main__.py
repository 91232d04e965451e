"""`python -m reportgen` runs the same CLI as the `reportgen` console script."""

from reportgen.launch import run

if __name__ == "__main__":  # spawned build workers re-import this module; they must not re-run
    run()
