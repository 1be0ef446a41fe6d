"""The command line: thin adapters over the layers below, with one error printer."""

from allocator.cli.app import main

__all__ = ["main"]
