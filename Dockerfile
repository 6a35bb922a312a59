# The bot in one container: SQLite in the /data volume, running as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////data/habits.sqlite3 \
    HEALTH_PORT=8080

WORKDIR /app

# Dependencies first, from the lockfile, so code changes do not reinstall them.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

RUN useradd --create-home --uid 10001 habits \
    && mkdir -p /data \
    && chown habits:habits /data \
    && chmod 700 /data

COPY bot ./bot
COPY scheduler ./scheduler
COPY storage ./storage
COPY tips ./tips
COPY habits ./habits
COPY fakegram ./fakegram
# The bot writes admins' tip edits back to content/tips.yaml, so its user owns the folder.
COPY --chown=habits:habits content ./content

USER habits
VOLUME ["/data"]
# /healthz and /metrics (Prometheus).
EXPOSE 8080

# No curl in the slim image: the check is a few lines of Python asking /healthz (exit 0 or 1).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot.operations.healthcheck"]

CMD ["python", "-m", "bot"]
