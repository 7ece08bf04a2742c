from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired

# The sandbox's API paths stand in for TikTok's servers and check TikTok's own
# Access-Token header (or Bearer token, or 出海匠's X-API-Key) instead; /api/ answers 401
# JSON through ninja's SessionAuth. The v2 consent page (/auth/) stays behind the login:
# it is where a person grants access.
LOGIN_EXEMPT_PREFIXES = ("/sandbox/tiktok/open_api/", "/sandbox/ark/", "/api/", "/sandbox/tiktok-open/v2/", "/sandbox/chuhaijiang/mcp")
LOGIN_REQUIRED_PREFIXES = ("/sandbox/tiktok-open/v2/auth/",)


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's login-required-by-default, with the machine-facing prefixes exempt."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(LOGIN_EXEMPT_PREFIXES) and not request.path.startswith(LOGIN_REQUIRED_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
