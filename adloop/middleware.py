from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired

# The sandbox's API paths stand in for TikTok's servers and check TikTok's own
# Access-Token header instead; /api/ answers 401 JSON through ninja's SessionAuth.
LOGIN_EXEMPT_PREFIXES = ("/sandbox/tiktok/open_api/", "/sandbox/ark/", "/api/")


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's login-required-by-default, with the machine-facing prefixes exempt."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(LOGIN_EXEMPT_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
