# The unionqa API (`unionqa serve`). Default extras only: the e5-small and USE embedding models
# ship inside their wheels (numpy, no torch), so the image needs no download at run time.
# The `st` extra (sentence-transformers) would need `pip install torch==2.13.0` (the CPU build)
# before `pip install '.[st]'`; it is left out on purpose.
#
#   docker build -t unionqa .
#   docker run -p 8000:8000 -v unionqa-data:/data unionqa            # embedded index in /data
#   docker compose up                                                # see docker-compose.yml
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ANONYMIZED_TELEMETRY=False \
    GRADIO_ANALYTICS_ENABLED=False \
    HF_HUB_OFFLINE=1 \
    UNIONQA_DATA_DIR=/data

RUN useradd --create-home --uid 10001 unionqa \
    && mkdir -p /data \
    && chown unionqa:unionqa /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install .
# the five seed articles, so `docker compose run --rm api unionqa ingest` has something to ingest
COPY corpus ./corpus

USER unionqa
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
    CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"
# One worker per container (scale with replicas); 1 embedding thread per worker is the default.
CMD ["unionqa", "serve", "--host", "0.0.0.0", "--port", "8000"]
