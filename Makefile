# adloop — developer entry points. `make demo` and `make test` work on a fresh checkout.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
# The interpreter that creates $(VENV): python3.11 when present, else python3.
BOOTSTRAP_PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
STAMP := $(VENV)/.requirements-dev.stamp

PORT ?= 8000
# Sandbox URLs and OAuth redirects derive from SITE_URL, so it follows PORT unless set.
SITE_URL ?= http://127.0.0.1:$(PORT)
PYTEST_ARGS ?=
# make demo runs the loop over this many simulated days (once: a second `make demo` keeps the data)
DEMO_DAYS ?= 10
DEMO_SEED ?= 42
PYTEST_WORKERS ?= 2
# run-worker / run-beat need a broker; the embedded default has none (Celery runs eagerly).
WORKER_REDIS_URL ?= $(if $(REDIS_URL),$(REDIS_URL),redis://127.0.0.1:6379/0)

.PHONY: help venv deps demo test lint migrations-check messages messages-check check run-worker run-beat

help:
	@echo "make demo              set up $(VENV), migrate, seed the demo shop, serve http://127.0.0.1:$(PORT)"
	@echo "make test              run the test suite (PYTEST_ARGS='...' passes options to pytest)"
	@echo "make lint              ruff + the direct-requests guard"
	@echo "make migrations-check  fail if a model change has no migration"
	@echo "make messages          extract the UI strings into locale/zh_Hans and compile them (needs GNU gettext)"
	@echo "make messages-check    fail if a UI string is not in locale/zh_Hans/LC_MESSAGES/django.po"
	@echo "make run-worker        celery worker   (needs Redis: REDIS_URL, default redis://127.0.0.1:6379/0)"
	@echo "make run-beat          celery beat with django_celery_beat's DatabaseScheduler"

$(PY):
	@test -n "$(BOOTSTRAP_PYTHON)" || { echo "python3.11 (or python3) is required" >&2; exit 1; }
	$(BOOTSTRAP_PYTHON) -m venv $(VENV)

# Reinstall only when a requirements file is newer than the stamp.
$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv deps: $(STAMP)

demo: $(STAMP)
	@mkdir -p var
	SITE_URL=$(SITE_URL) $(PY) manage.py migrate --noinput
	SITE_URL=$(SITE_URL) $(PY) manage.py setup_periodic_tasks
	SITE_URL=$(SITE_URL) $(PY) manage.py seed_demo
	SITE_URL=$(SITE_URL) $(PY) manage.py simulate --days $(DEMO_DAYS) --seed $(DEMO_SEED) --unless-run
	SITE_URL=$(SITE_URL) EMBEDDED_WORKER_THREADS=2 $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Exit code 5 (no tests collected) is a failure like any other non-zero code.
test: $(STAMP)
	@mkdir -p var
	@workers=""; \
	if $(PY) -c "import xdist" 2>/dev/null; then workers="-n $(PYTEST_WORKERS)"; fi; \
	echo "CELERY_TASK_ALWAYS_EAGER=True $(PY) -m pytest $$workers $(PYTEST_ARGS)"; \
	status=0; \
	CELERY_TASK_ALWAYS_EAGER=True $(PY) -m pytest $$workers $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests (exit 5) — failing" >&2; fi; \
	exit $$status

# External HTTP goes through a client in integrations/ that sets a timeout: no module-level
# requests.get/post/put/request calls anywhere, and requests.Session() only in integrations/.
lint: $(STAMP)
	$(PY) -m ruff check .
	@calls=$$(grep -rnE --include='*.py' --exclude-dir=.venv --exclude-dir=.git --exclude-dir=var \
		'requests\.(get|post|put|request)\(' . | grep -vE '^[^:]+:[0-9]+:[[:space:]]*#' || true); \
	sessions=$$(grep -rnE --include='*.py' --exclude-dir=.venv --exclude-dir=.git --exclude-dir=var \
		'requests\.Session\(' . | grep -vE '^\./integrations/' | grep -vE '^[^:]+:[0-9]+:[[:space:]]*#' || true); \
	if [ -n "$$calls$$sessions" ]; then \
		printf '%s\n' $${calls:+"$$calls"} $${sessions:+"$$sessions"}; \
		echo "lint: call external services through a client in integrations/ (it sets a timeout)" >&2; \
		exit 1; \
	fi; \
	echo "requests guard: ok"

migrations-check: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run

# The UI's strings (English source) → locale/zh_Hans/LC_MESSAGES/django.po (translate the new
# entries there) → django.mo, which is committed: running the app needs no gettext.
# makemessages walks the whole tree; these directories ship no UI strings.
MESSAGES_FLAGS := -l zh_Hans --ignore=.venv --ignore=bench --ignore=tests --ignore=var --ignore=artifacts --ignore=assets --no-obsolete
PO := locale/zh_Hans/LC_MESSAGES/django.po

messages: $(STAMP)
	$(PY) manage.py makemessages $(MESSAGES_FLAGS)
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv --ignore=var

# Extracts again into the real .po, compares the msgid sets (headers and line numbers do not
# count), then puts the committed .po back: the tree is left as it was.
messages-check: $(STAMP)
	@command -v xgettext >/dev/null || { echo "messages-check needs GNU gettext (xgettext, msgcat): apt-get install gettext" >&2; exit 1; }
	@set -eo pipefail; tmp=$$(mktemp -d); cp $(PO) "$$tmp/committed.po"; \
	trap 'cp "$$tmp/committed.po" $(PO); rm -rf "$$tmp"' EXIT; \
	$(PY) manage.py makemessages $(MESSAGES_FLAGS) >/dev/null; \
	ids() { msgcat --no-wrap --no-location --sort-output "$$1" \
		| awk '/^msgctxt /{c = $$0 " | "; next} /^msgid /{print c $$0; c = ""}' | LC_ALL=C sort; }; \
	ids "$$tmp/committed.po" > "$$tmp/committed.ids"; ids $(PO) > "$$tmp/current.ids"; \
	new=$$(LC_ALL=C comm -13 "$$tmp/committed.ids" "$$tmp/current.ids"); \
	gone=$$(LC_ALL=C comm -23 "$$tmp/committed.ids" "$$tmp/current.ids"); \
	if [ -n "$$new" ]; then printf 'Strings not in $(PO):\n%s\n' "$$new" >&2; fi; \
	if [ -n "$$gone" ]; then printf 'Strings in $(PO) that the code no longer has:\n%s\n' "$$gone" >&2; fi; \
	if [ -n "$$new$$gone" ]; then echo "messages-check: run 'make messages', translate the new entries, commit the .po and .mo" >&2; exit 1; fi; \
	echo "messages-check: ok ($$(wc -l < "$$tmp/current.ids") msgids)"

check: lint migrations-check messages-check test

run-worker: $(STAMP)
	REDIS_URL=$(WORKER_REDIS_URL) $(VENV)/bin/celery -A adloop worker -l info --concurrency 2 -Q celery,render

run-beat: $(STAMP)
	REDIS_URL=$(WORKER_REDIS_URL) $(VENV)/bin/celery -A adloop beat -l info --scheduler django_celery_beat.schedulers:DatabaseScheduler
