"""The container's HEALTHCHECK: `python -m bot.operations.healthcheck` asks the bot's /healthz.

Exit code 0 when it answers 200, else 1 with the reason on one line. Only the standard library is
imported (the slim image has no curl), so a check costs a few milliseconds of start-up.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

DEFAULT_PORT = "8080"
TIMEOUT_SECONDS = 4.0


def main() -> int:
    port = os.environ.get("HEALTH_PORT") or DEFAULT_PORT
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as answer:
            print(answer.read().decode("utf-8", "replace").strip())
            return 0
    except urllib.error.HTTPError as error:
        print(error.read().decode("utf-8", "replace").strip() or f"{url} answered {error.code}")
    except OSError as error:
        print(f"{url} does not answer: {error}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
