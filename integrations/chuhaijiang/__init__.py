"""出海匠 (Chuhaijiang) track-A provider: its open platform is a hosted MCP server (see client.py)."""

from .client import ChuhaijiangProvider

__all__ = ["ChuhaijiangProvider"]
