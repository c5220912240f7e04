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
# gunicorn.conf.py: gevent workers (a push client is a greenlet, not a thread: each worker holds up
# to 750 streams and keeps 250 connections for the pages), and the producer as a supervised child
# process of gunicorn's master, so web workers only read (MC_PRODUCER=external). With nothing set
# (embedded demo, in-process Redis) it runs one worker with the producer inside it instead.
CMD ["gunicorn", "-c", "gunicorn.conf.py"]
