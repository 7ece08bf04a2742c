# adloop image: web (gunicorn), worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_ROOT=/app/var/static \
    MEDIA_ROOT=/app/var/media

WORKDIR /app

# espeak-ng: the offline voice-over (the renderer skips voice-over without it).
RUN apt-get update \
    && apt-get install -y --no-install-recommends espeak-ng \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first so source edits do not reinstall them. All pins ship wheels
# (psycopg[binary], cryptography, imageio-ffmpeg with its own ffmpeg binary): no compiler needed.
COPY requirements.txt ./
RUN pip install -r requirements.txt

RUN groupadd --system --gid 1000 adloop \
    && useradd --system --uid 1000 --gid adloop --home-dir /app --shell /usr/sbin/nologin adloop

COPY --chown=adloop:adloop . .
# The media volume is initialised from this directory, so it starts out owned by adloop.
RUN mkdir -p /app/var/static /app/var/media && chown -R adloop:adloop /app/var

USER adloop
EXPOSE 8000

# docker-compose.yml runs migrate + collectstatic before this for the web service.
CMD ["gunicorn", "adloop.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
