# Link Profiler Mission Control. Build: docker build -t mission-control .
# Run against a real Link Profiler:
#   docker run -p 8050:8050 -e DATABASE_URL=postgresql://... -e REDIS_URL=redis://... mission-control
# With nothing set it runs the embedded demo (SQLite + in-process Redis + simulated fleet).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 PORT=8050

WORKDIR /app
RUN useradd --create-home --uid 10001 mc
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY --chown=mc:mc . .
USER mc

EXPOSE 8050
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"8050\")}/healthz', timeout=2)"
# gthread workers: the push stream holds a connection and a thread per client, so each worker
# admits at most THREADS - max(4, 25 %) streams (12 here) and keeps the rest for /healthz and the
# pages: min(MAX_WEBSOCKET_CONNECTIONS, WEB_CONCURRENCY x 12) = 24 streams with the defaults. Every worker runs a
# standby producer; the Redis lease elects one. The embedded demo needs a single worker
# (its in-process Redis is per process): set WEB_CONCURRENCY=1 for it.
CMD ["sh", "-c", "exec gunicorn --bind ${HOST}:${PORT} --workers ${WEB_CONCURRENCY:-2} --threads ${THREADS:-16} --worker-class gthread --timeout 120 app:server"]
