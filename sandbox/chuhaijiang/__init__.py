"""出海匠 (Chuhaijiang) stand-in: an MCP server on the official `mcp` SDK, served by Django at
/sandbox/chuhaijiang/mcp (see server.py for the tools and their schemas)."""
