"""The one way an integration opens an HTTP session: a default (connect, read) timeout on
every request, so no call can hang forever (requests' own default is no timeout)."""

import requests
from requests.adapters import HTTPAdapter


class TimeoutHTTPAdapter(HTTPAdapter):
    """Injects a (connect, read) timeout into every request that did not set one."""

    def __init__(self, *args, timeout: tuple[float, float], **kwargs):
        self.timeout = timeout
        super().__init__(*args, **kwargs)

    def send(self, request, *args, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, *args, **kwargs)


def session_with_timeout(timeout: tuple[float, float], session: requests.Session | None = None) -> requests.Session:
    session = session or requests.Session()
    adapter = TimeoutHTTPAdapter(timeout=timeout)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
