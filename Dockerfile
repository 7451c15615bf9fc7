# syntax=docker/dockerfile:1
# The catalogue in production: gunicorn on port 8000, static files served by WhiteNoise.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements-bootstrap.lock requirements.lock ./
# As the Makefile installs: a pinned pip and setuptools first, then the lock exactly as written.
RUN python -m venv /venv \
    && /venv/bin/pip install --require-hashes --no-deps -r requirements-bootstrap.lock \
    && /venv/bin/pip install --require-hashes --no-deps --no-build-isolation -r requirements.lock \
    && /venv/bin/pip check

FROM python:3.11-slim
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GUNICORN_BIND=0.0.0.0:8000
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin catalogue \
    && install -d -o catalogue -g catalogue /var/lib/sironet/datapackage
WORKDIR /app
COPY --from=build /venv /venv
COPY --chown=catalogue:catalogue . .
# Static files are collected into the image (a build-time key, never used to serve).
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput --verbosity 0
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
