"""The laptop default: SQLite in a folder git does not hold. Any manage.py command must work on
a fresh checkout, not only the Makefile's targets (which make var/)."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_a_manage_py_command_makes_the_sqlite_folder(tmp_path):
    database = tmp_path / "not" / "yet" / "db.sqlite3"
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"} | {"SQLITE_PATH": str(database)}

    done = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "shell", "-c",
         "from django.db import connection; connection.ensure_connection(); print(connection.vendor)"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("sqlite")
    assert database.is_file()
