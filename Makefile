# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make run   - the site on an embedded SQLite database with demo data, http://127.0.0.1:8000
#                (needs no Debian package beyond Python)
#   make test  - the whole test suite; first installs the Debian packages the tests use
#                (scripts/system-packages.txt), or stops with the command to run
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv system-packages migrate seed check clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

# The Debian packages of scripts/system-packages.txt (the one list; .ci/run calls the same script).
system-packages:
	@bash scripts/system-packages.sh

migrate: venv
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# The address and the demo logins are the last lines before the server's own.
run: migrate
	@$(PY) manage.py seed_demo --url http://$(HOST):$(PORT)/
	$(PY) manage.py runserver $(HOST):$(PORT)

test: system-packages venv
	@# The layers of .importlinter (README, "Layout"): a broken contract stops the run first.
	$(VENV)/bin/lint-imports --no-cache
ifdef PYTEST_ARGS
	DJANGO_ENV=test $(PY) -m pytest $(PYTEST_ARGS)
else
	DJANGO_ENV=test $(PY) -m pytest -m "not browser"
	@# Each browser journey runs in a process of its own, on a test database of its own: a
	@# journey's failure cannot leave data behind for the next. (All four also pass in one
	@# process: `make test PYTEST_ARGS="-m browser tests/browser"`.)
	for t in tests/browser/test_*.py; do DJANGO_ENV=test $(PY) -m pytest -m browser $$t || exit 1; done
endif

check: venv
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_ENV=production SECRET_KEY=ci-$(shell head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	  ALLOWED_HOSTS=qjty.example.cn PII_ENCRYPTION_KEY=$$($(PY) -c 'from cryptography.fernet import Fernet;print(Fernet.generate_key().decode())') \
	  PII_HASH_KEY=ci-hash-key-0123456789abcdef0123456789abcdef SMS_LOG_SENDER_ALLOWED=true \
	  $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* media staticfiles

# --- speed, scale and production (issue 9; docs/deployment.md) ---
.PHONY: bench loadtest run-prod

# The benchmark suite on a deterministic province-size data set (separate database:
# BENCH_DATABASE_URL, default bench/.data/bench.sqlite3); one table + bench/results.json.
bench: system-packages venv
	$(PY) -m bench.run $(BENCH_ARGS)

# 50 simulated users, 60 s, gunicorn + PostgreSQL on 127.0.0.1 (LOADTEST_DATABASE_URL).
loadtest: venv
	$(PY) -m loadtest.run

# The production setup on this machine: PostgreSQL, migrate, collectstatic, worker, gunicorn.
run-prod: venv
	PORT=$(PORT) deploy/run-prod.sh

# --- deployment check (issue 9; docs/deployment.md, "How this guide was checked") ---
# deploy/smoke.sh: nginx (installed with apt-get when missing) + gunicorn + the task worker, started
# from deploy/ the way the systemd units run them, on 127.0.0.1 high ports with a self-signed
# certificate and a database of its own; checks TLS, static caching, upload limit, private media,
# client address and proxy headers, login and PDF, worker, reminders, backup and restore, reload;
# stops everything. Needs root and PostgreSQL. About 3 minutes: not part of `make test` or CI.
.PHONY: deploy-check
deploy-check: venv
	bash deploy/smoke.sh
