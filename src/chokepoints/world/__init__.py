"""The World data model: tidy tables with a schema, validated on load."""

from .checks import check_world
from .core import CompiledWorld, World
from .load import load_world

__all__ = ["World", "CompiledWorld", "load_world", "check_world"]
