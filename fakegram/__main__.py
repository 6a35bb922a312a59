"""`python -m fakegram --port 8081`: serve a fresh FakeBotApi over HTTP until Ctrl-C.

Prints the base URL to give the bot (e.g. TELEGRAM_API_URL=http://127.0.0.1:8081/bot) and the
token it accepts. With --verbose every Bot API call is logged to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from fakegram.http import serve_http
from fakegram.server import FakeBotApi
from fakegram.wire import ApiCall


def _print_call(call: ApiCall) -> None:
    params = {k: v for k, v in call.params.items() if k != "reply_markup"}
    print(f"fakegram: {call.status} {call.method} {params}", flush=True)


async def _serve(args: argparse.Namespace) -> None:
    bot_id = args.bot_id if args.bot_id is not None else int(args.token.split(":", 1)[0])
    api = FakeBotApi(token=args.token, bot_id=bot_id, bot_username=args.bot_username)
    if args.verbose:
        api.add_listener(_print_call)
    server = await serve_http(api, args.host, args.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows
        loop.add_signal_handler(signal.SIGTERM, stop.set)
    print(f"fakegram: serving the Bot API at {server.base_url}", flush=True)
    print(f"fakegram: token {api.token} (bot @{api.bot_username}); Ctrl-C stops", flush=True)
    try:
        await stop.wait()
    finally:
        await server.close()


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m fakegram", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8081, help="port (0: any free port)")
    parser.add_argument("--token", default="123456:TEST-TOKEN", help="the bot token to accept")
    parser.add_argument("--bot-id", type=int, default=None, help="default: the token's prefix")
    parser.add_argument("--bot-username", default="habits_test_bot")
    parser.add_argument("--verbose", action="store_true", help="print every call")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
