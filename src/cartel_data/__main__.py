"""`python -m cartel_data`: the same as the `cartel-data` command."""

from .cli import main

if __name__ == "__main__":
    main()
