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

.PHONY: install run serve serve-proxy bench cluster-test migrate seed test test-fast lint format check lock clean

$(BIN)/.installed: requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $@

install: $(BIN)/.installed

# Serving (run, serve, the admin commands) needs only the runtime lock; the dev lock above,
# for test and lint, is a superset with the same pins, so either order of installs works.
.PHONY: install-runtime createdb superuser editor shell
$(BIN)/.runtime: requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

install-runtime: $(BIN)/.runtime

# Creates the PostgreSQL database that DATABASE_URL names, unless it exists; the URL's
# role needs CREATEDB (see the README's "On PostgreSQL"). Needs psql.
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

run: seed
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Accounts for the admin, with make run's settings (DEBUG on, DATABASE_URL or the SQLite file).
superuser: migrate
	$(DEV) $(BIN)/python manage.py createsuperuser

# `make editor USER=ana`: a staff account in the Editors group (made by the migrations),
# or that account put there if it exists; then asks for its password.
editor: migrate
	$(DEV) EDITOR_USERNAME='$(USER)' $(BIN)/python manage.py shell --no-imports -c "$$EDITOR_PY"
	$(DEV) $(BIN)/python manage.py changepassword '$(USER)'

ifeq ($(filter editor,$(MAKECMDGOALS)),editor)
ifneq ($(origin USER),command line)
$(error Name the account: make editor USER=ana)
endif
endif

define EDITOR_PY
import os
from django.contrib.auth.models import Group, User
name = os.environ["EDITOR_USERNAME"]
user = User.objects.filter(username=name).first() or User.objects.create_user(name)
user.is_staff = True
user.save(update_fields=["is_staff"])
user.groups.add(Group.objects.get(name="Editors"))
print(f"{name} is a staff account in the Editors group.")
endef
export EDITOR_PY

shell: migrate
	$(DEV) $(BIN)/python manage.py shell

serve: seed
	$(SERVE) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(SERVE) PORT=$(PORT) $(BIN)/gunicorn --config gunicorn.conf.py

# `make serve` behind nginx, as production runs it (deploy/nginx): nginx on $(PORT),
# gunicorn on $(PORT)+1; Ctrl-C stops both. Needs nginx (apt-get install -y nginx).
serve-proxy: seed
	$(SERVE) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(SERVE) DJANGO_BEHIND_TLS_PROXY=true PORT=$(PORT) GUNICORN=$(BIN)/gunicorn deploy/serve-proxy

# Load test of the production server on BENCH_OUTCOMES (20,000) synthetic outcomes, on a
# SQLite file (bench.sqlite3) or DATABASE_URL; see tools/bench.py.
bench: install
	$(BIN)/python tools/bench.py

# The production topology on real local servers, checked (tools/cluster.py): a PostgreSQL
# primary and its streaming replica, Redis, two gunicorn app servers and Varnish in front.
# Needs apt-get install postgresql redis-server varnish varnish-modules wrk.
cluster-test: install
	$(BIN)/python tools/cluster.py

# The Nu HTML checker for tests/test_html_validity.py (run with the system Java).
VNU := tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU): tools/vnu/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tools/vnu --no-audit --no-fund --loglevel=error; \
	else echo "npm is missing: the HTML validity test will be skipped."; fi

# PYTEST_ARGS passes options on, e.g. CI's coverage report: make test PYTEST_ARGS=--cov
test: install $(VNU)
	$(BIN)/pytest $(PYTEST_ARGS)

# Everything but the tests that drive Chromium (marked `browser`).
test-fast: install $(VNU)
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

# The checks are listed once, in .pre-commit-config.yaml (django-upgrade, ruff, ruff format,
# djhtml, hadolint); they fix what they can, and fail if they changed anything.
lint: install
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

# A first pass rewrites; a second fails only on what no tool can fix.
format: install
	$(BIN)/pre-commit run --all-files >/dev/null || $(BIN)/pre-commit run --all-files

check: install
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(DEV) $(BIN)/python manage.py check

# Re-pin every dependency after editing pyproject.toml (uv is a dev dependency).
lock: install
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --group dev --universal --python-version 3.11 --generate-hashes -o requirements-dev.lock

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .coverage
