# The project's verbs. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# `make run` is local development: DEBUG on, a SQLite file unless DATABASE_URL says otherwise.
DEV := DJANGO_DEBUG=true

# `make serve` is the production configuration on plain local HTTP: DEBUG off, gunicorn,
# collected static files; a throwaway key and local hosts unless the environment sets them.
SERVE := DJANGO_SECURE_SSL_REDIRECT=false DJANGO_SECURE_HSTS_SECONDS=0 DJANGO_SECURE_COOKIES=false \
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')} \
	DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-localhost,127.0.0.1}

.PHONY: install run serve serve-proxy bench soak cluster-test migrate seed test test-fast lint format check migrations lock clean

# The install depends neither on the pip that a Python bundles nor on releases published
# after the locks were written: a hash-pinned pip and setuptools go in first; then the lock
# exactly as written (--no-deps: the lock is the whole set, so no resolver re-reads its
# extras; --no-build-isolation: a package built from source uses the pinned setuptools);
# then pip check proves the set is consistent.
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps
define install_lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements-bootstrap.lock
	$(PIP_INSTALL) --no-build-isolation -r $(1)
	$(BIN)/python -m pip check
endef

$(BIN)/.installed: requirements-bootstrap.lock requirements-dev.lock
	$(call install_lock,requirements-dev.lock)
	touch $@

install: $(BIN)/.installed

# Serving (run, serve, the admin commands) needs only the runtime lock; the dev lock above,
# for test and lint, is a superset with the same pins, so either order of installs works.
.PHONY: install-runtime createdb superuser editor shell backup restore
$(BIN)/.runtime: requirements-bootstrap.lock requirements.lock
	$(call install_lock,requirements.lock)
	touch $@

install-runtime: $(BIN)/.runtime

# Creates the PostgreSQL database that DATABASE_URL names, unless it exists; the URL's
# role needs CREATEDB (README, "On PostgreSQL"). Needs psql.
createdb:
	@case "$$DATABASE_URL" in postgres://*/?*|postgresql://*/?*) ;; \
		*) echo "Set DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/NAME first."; exit 1;; esac
	@name=$${DATABASE_URL##*/}; name=$${name%%\?*}; server=$${DATABASE_URL%/*}/postgres; \
	if psql "$$server" -tAc "SELECT 1 FROM pg_database WHERE datname = '$$name'" | grep -q 1; \
	then echo "Database $$name exists."; \
	else psql "$$server" -q -c "CREATE DATABASE \"$$name\"" && echo "Created database $$name."; fi

migrate: install-runtime
	$(DEV) $(BIN)/python manage.py migrate --noinput

seed: migrate
	$(DEV) $(BIN)/python manage.py seed

# With the worker beside it (deploy/with-worker): purges, the data package, e-mails.
run: seed
	$(DEV) deploy/with-worker $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Accounts for the admin, with make run's settings (DEBUG on, DATABASE_URL or the SQLite file):
# `make editor USER=ana` makes a staff account in the Editors group (or puts an existing one
# there), `make superuser USER=ana` a superuser. Each asks for the password at a terminal;
# without one, it takes ACCOUNT_PASSWORD from the environment, or fails and makes nothing.
# TWO_FACTOR=1 enrols the account's second factor too, and prints it (a QR code and
# recovery codes); otherwise staff enrol at their first login.
superuser: migrate
	$(DEV) $(BIN)/python manage.py account --superuser '$(USER)'

editor: migrate
	$(DEV) $(BIN)/python manage.py account '$(USER)' $(if $(TWO_FACTOR),--two-factor)

ifneq ($(filter editor superuser,$(MAKECMDGOALS)),)
ifneq ($(origin USER),command line)
$(error Name the account: make $(filter editor superuser,$(MAKECMDGOALS)) USER=ana)
endif
endif

# A backup of the database (DATABASE_URL, or make run's SQLite file) and the media folder,
# in one tar file (BACKUP=path, or a dated name here); its restore into an empty database
# and media folder (docs/deployment.md, "Backups").
backup: install-runtime
	$(DEV) $(BIN)/python manage.py backup $(BACKUP)

restore: install-runtime
	@[ -n "$(BACKUP)" ] || { echo "Name the backup: make restore BACKUP=sironet-backup-….tar"; exit 1; }
	$(DEV) $(BIN)/python manage.py restore '$(BACKUP)'

shell: migrate
	$(DEV) $(BIN)/python manage.py shell

serve: seed
	$(SERVE) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(SERVE) PORT=$(PORT) deploy/with-worker $(BIN)/gunicorn --config gunicorn.conf.py

# `make serve` behind nginx, as production runs it (deploy/nginx): nginx on $(PORT),
# gunicorn on $(PORT)+1; Ctrl-C stops both. Needs nginx (apt-get install -y nginx).
serve-proxy: seed
	$(SERVE) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(SERVE) DJANGO_BEHIND_TLS_PROXY=true PORT=$(PORT) GUNICORN=$(BIN)/gunicorn deploy/serve-proxy

# Load test of the production server on BENCH_OUTCOMES (20,000) synthetic outcomes, on a
# SQLite file of its own (bench-N.sqlite3) or a database of its own on DATABASE_URL's
# server; BENCH_OUTCOMES=2000 for a realistic size. See tools/bench.py.
bench: install
	$(BIN)/python tools/bench.py

# The production topology on real local servers, checked (tools/cluster.py): a PostgreSQL
# primary and its streaming replica, Redis, two gunicorn app servers and Varnish in front.
# Needs apt-get install postgresql redis-server varnish varnish-modules wrk.
# Issue 27's floods against make serve-proxy's servers, bounded (a minute or two), with a
# visitor's probes throughout: a table, and a failure when a visitor suffers (tools/soak.py).
soak: install
	$(BIN)/python tools/soak.py

cluster-test: install
	$(BIN)/python tools/cluster.py

# The Nu HTML checker for tests/services/test_html_validity.py (run with the system Java).
VNU := tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU): tools/vnu/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tools/vnu --no-audit --no-fund --loglevel=error; \
	else echo "npm is missing: the HTML validity test will be skipped."; fi

# PYTEST_ARGS passes options on, e.g. CI's coverage report: make test PYTEST_ARGS=--cov
test: install $(VNU)
	$(BIN)/pytest $(PYTEST_ARGS)

# Everything but the tests that drive Chromium or start real servers (tests/browser/,
# tests/services/, and tests marked `browser` or `services`), on every core (pytest-xdist:
# each process has its own test database).
test-fast: install
	$(BIN)/pytest -m "not browser and not services" -n auto $(PYTEST_ARGS)

# The checks are listed once, in .pre-commit-config.yaml (django-upgrade, ruff, ruff format,
# djhtml, hadolint, import-linter, mypy); they fix what they can, and fail if they changed
# anything.
lint: install
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

# A first pass rewrites; a second fails only on what no tool can fix.
format: install
	$(BIN)/pre-commit run --all-files >/dev/null || $(BIN)/pre-commit run --all-files

# Migrations are up to date; the system checks, with the database's (SQLite's search
# triggers among them).
check: install
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(DEV) $(BIN)/python manage.py migrate --noinput --verbosity 0
	$(DEV) $(BIN)/python manage.py check --database default

# After changing a model: the migration, then the checks (DEVELOPERS.md, Adding a field).
migrations: install
	$(DEV) $(BIN)/python manage.py makemigrations
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py check --database default

# Re-pin every dependency after editing pyproject.toml (uv is a dev dependency).
lock: install
	printf 'pip\nsetuptools\n' | $(BIN)/uv pip compile - --universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock" -o requirements-bootstrap.lock
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --group dev --universal --python-version 3.11 --generate-hashes -o requirements-dev.lock

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .coverage
