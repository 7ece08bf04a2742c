"""出海匠's MCP endpoint under /sandbox/chuhaijiang/ (the real one is https://mcp.gateway.chuhaijiang.com/mcp)."""

from django.urls import path

from .views import mcp_endpoint

urlpatterns = [
    path("mcp", mcp_endpoint, name="chuhaijiang-mcp"),
]
