# syntax=docker/dockerfile:1
# Build stage: compile wheels for the pinned dependencies.
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /build
COPY requirements.txt constraints.txt ./
RUN pip wheel --wheel-dir /wheels -r requirements.txt -c constraints.txt

# Runtime stage: no compilers, non-root user, gunicorn.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 faktencheck \
    && useradd --system --create-home --uid 10001 --gid 10001 faktencheck
COPY --from=build /wheels /wheels
RUN pip install /wheels/* && rm -rf /wheels
WORKDIR /app
# Owned by root: the app user runs the code but cannot change it.
COPY . .
# collectstatic needs settings but no real secret or database.
RUN DJANGO_SECRET_KEY=collectstatic-only DATABASE_URL=postgres://collectstatic@localhost/none \
    python manage.py collectstatic --noinput --verbosity 0
# Numeric, so orchestrators (runAsNonRoot) can verify it is not root.
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
CMD ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application"]
