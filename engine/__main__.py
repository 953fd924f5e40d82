"""`python -m engine` is the same as the `crux` command."""

from engine.cli import main

if __name__ == "__main__":
    main()
