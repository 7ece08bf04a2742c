"""What the PostgreSQL benchmarks share: a throwaway database, the sandbox served over real HTTP on
a background thread, counters of SQL statements and of TikTok HTTP calls, and the output.

A benchmark script puts the project root on sys.path, imports this module, and ends with

    sys.exit(bench_main(script="bench/x.py", args=parse_args(), run=run, pretty=pretty))

`run(args) -> dict` runs inside the throwaway database (Django is set up by then); `pretty(report)`
prints the human form, `--json` prints the report itself.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adloop.settings")

POSTGRES_SCHEMES = ("postgres://", "postgresql://", "postgis://")


def postgres_configured() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(POSTGRES_SCHEMES)


@contextmanager
def throwaway_database(*, name: str = "", migrate: bool = True, debug: bool = False) -> Iterator[None]:
    """Django's test database for DATABASE_URL (test_<name>, or `name`), created for the block and
    dropped after it. migrate=False builds the tables straight from the models: quicker than
    replaying migrations, and all a benchmark needs."""
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment(debug=debug)
    test_settings = connection.settings_dict.setdefault("TEST", {})
    if not migrate:
        test_settings["MIGRATE"] = False
    if name:
        test_settings["NAME"] = name
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
    try:
        yield
    finally:
        # A live-server thread may still hold a keep-alive socket and its database session.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def live_server_thread(*, nodelay: bool = True):
    """Django's live server thread (not started). With `nodelay` it answers with TCP_NODELAY: its
    handler writes a response's headers and body in two sends; with Nagle's algorithm on, the
    body waits for the client's delayed ACK of the headers (~40 ms on Linux), a stall of the test
    server, not of TikTok nor of a production server, that would otherwise be most of each call's
    time."""
    from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler, _StaticFilesHandler

    if not nodelay:
        return LiveServerThread("127.0.0.1", _StaticFilesHandler, port=0)

    class Handler(QuietWSGIRequestHandler):
        disable_nagle_algorithm = True

    class Server(LiveServerThread):
        def _create_server(self, connections_override=None):
            return self.server_class(
                (self.host, self.port), Handler, allow_reuse_address=False, connections_override=connections_override
            )

    return Server("127.0.0.1", _StaticFilesHandler, port=0)


@contextmanager
def sandbox_server(*, nodelay: bool = True) -> Iterator[object]:
    """The project's WSGI app on a background thread, with TIKTOK_ADS_BASE_URL pointing at its sandbox."""
    from django.conf import settings

    server = live_server_thread(nodelay=nodelay)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    settings.TIKTOK_ADS_BASE_URL = f"http://127.0.0.1:{server.port}/sandbox/tiktok"
    try:
        yield server
    finally:
        server.terminate()


# --- SQL ------------------------------------------------------------------------------------

_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


class QueryCounter:
    """Counts SQL statements run by the thread that created it, through `connection.execute_wrapper`
    (a live server's threads have their own connections: the sandbox's queries are not counted).
    An executemany is one statement. `kinds`: by first keyword (SELECT, INSERT, …). With `sites`,
    also by (the innermost project function that ran it, keyword and table): what to look at when
    a count grows with the data."""

    def __init__(self, *, sites: bool = False):
        self.thread = threading.get_ident()
        self.count = 0
        self.kinds: Counter = Counter()
        self.sites: Counter | None = Counter() if sites else None
        self._project: dict = {}

    def __call__(self, execute, sql, params, many, context):
        if threading.get_ident() == self.thread:
            self.count += 1
            kind = sql.split(None, 1)[0].upper()
            self.kinds[kind] += 1
            if self.sites is not None:
                table = _TABLE.search(sql)
                self.sites[f"{self._site()} {kind}{' ' + table.group(1) if table else ''}"] += 1
        return execute(sql, params, many, context)

    def _site(self) -> str:
        frame = sys._getframe(2)
        while frame is not None:
            code = frame.f_code
            mine = self._project.get(code)
            if mine is None:
                path = code.co_filename
                mine = self._project[code] = path.startswith(str(ROOT)) and "/.venv/" not in path and "/bench/" not in path
            if mine:
                return f"{Path(code.co_filename).relative_to(ROOT)}:{code.co_name}"
            frame = frame.f_back
        return "?"

    @contextmanager
    def installed(self) -> Iterator[QueryCounter]:
        from django.db import connection

        with connection.execute_wrapper(self):
            yield self


# --- HTTP -----------------------------------------------------------------------------------


class CallCounter:
    """Wraps the TikTok client's single HTTP attempt (every try of a retried call counts): calls
    per path and the most ids one status call and one budget call carried."""

    def __init__(self):
        self.paths: Counter = Counter()
        self.ids_max: Counter = Counter()

    @property
    def total(self) -> int:
        return sum(self.paths.values())

    def install(self) -> Callable[[], None]:
        """Patch the client; returns the function that restores it."""
        from integrations.tiktok_ads.client import TikTokAdsClient

        original = TikTokAdsClient._send_once
        counter = self

        def send_once(client, method, path, *, json_body=None, **kwargs):
            counter.record(path, json_body or {})
            return original(client, method, path, json_body=json_body, **kwargs)

        TikTokAdsClient._send_once = send_once
        return lambda: setattr(TikTokAdsClient, "_send_once", original)

    @contextmanager
    def installed(self) -> Iterator[CallCounter]:
        uninstall = self.install()
        try:
            yield self
        finally:
            uninstall()

    def record(self, path: str, body: dict) -> None:
        self.paths[path] += 1
        if path.endswith("status/update"):
            self.ids_max["status"] = max([self.ids_max["status"], *(len(v) for k, v in body.items() if k.endswith("_ids"))])
        elif path == "adgroup/budget/update":
            self.ids_max["budget"] = max(self.ids_max["budget"], len(body.get("budget") or []))

    def reset(self):
        self.paths.clear()
        self.ids_max.clear()


# --- the script's frame ---------------------------------------------------------------------


def bench_main(
    *, script: str, args, run: Callable[[object], dict], pretty: Callable[[dict], None], needs: str = "",
    db_name: str = "", migrate: bool = False, debug: bool = False,
) -> int:
    """Refuse anything but PostgreSQL, set Django up, run `run(args)` in a throwaway database and
    print its report (JSON with args.json, else `pretty`). Returns the exit status."""
    if not postgres_configured():
        needs = needs or "(a throwaway test_<name> database is created and dropped)"
        print(f"{script} needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/name {needs}", file=sys.stderr)
        return 2
    import django

    django.setup()
    with throwaway_database(name=db_name, migrate=migrate, debug=debug):
        report = run(args)
    report_print(report, as_json=args.json, pretty=pretty)
    return 0


def report_print(report: dict, *, as_json: bool, pretty: Callable[[dict], None]) -> None:
    if as_json:
        print(json.dumps(report, indent=2, default=str))
    else:
        pretty(report)


def chunks(items, size: int):
    """Consecutive slices of at most `size` items of a sequence."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
