# The bot in one container: SQLite in the /data volume, running as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////data/habits.sqlite3

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

CMD ["python", "-m", "bot"]
