"""In-process transport: a PTB `BaseRequest` that answers from a `FakeBotApi` without sockets.

    api = FakeBotApi()
    bot = telegram.Bot(api.token, request=FakeRequest(api), get_updates_request=FakeRequest(api))

The request is encoded exactly as PTB's HTTPXRequest would send it (`json_parameters` as form
fields, `multipart_data` as file parts), so the in-process path exercises the same decoding as
the HTTP server. The host in PTB's `base_url` does not matter; the path must end in
`.../bot<token>/<method>` as with PTB's default `base_url`.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import unquote, urlsplit

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from fakegram.server import FakeBotApi
from fakegram.wire import UploadedFile

__all__ = ["FakeRequest", "split_bot_api_path"]


def split_bot_api_path(path: str) -> tuple[str, str] | None:
    """("<token>", "<method>") from a path ending in "/bot<token>/<method>", else None."""
    parts = path.rstrip("/").split("/")
    if len(parts) < 2 or not parts[-2].startswith("bot") or not parts[-1]:
        return None
    return unquote(parts[-2].removeprefix("bot")), unquote(parts[-1])


def request_data_params(request_data: RequestData | None) -> dict[str, Any]:
    """The parameters as the Bot API receives them: form strings plus uploaded files."""
    if request_data is None:
        return {}
    params: dict[str, Any] = dict(request_data.json_parameters)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        data = content if isinstance(content, bytes) else content.read()
        params[name] = UploadedFile(filename=filename, mime_type=mime_type, data=data)
    return params


class FakeRequest(BaseRequest):
    """Answers PTB's requests from a `FakeBotApi` in the same event loop.

    `read_timeout` (seconds, or None for no limit) bounds how long a call may take before PTB
    gets `telegram.error.TimedOut`, so `FakeBotApi.delay_next` can simulate timeouts. PTB adds
    the long-poll `timeout` of getUpdates on top of it, as with a real HTTP client.
    """

    __slots__ = ("_api", "_read_timeout")

    def __init__(self, api: FakeBotApi, *, read_timeout: float | None = 5.0) -> None:
        self._api = api
        self._read_timeout = read_timeout

    @property
    def api(self) -> FakeBotApi:
        """The fake server this request talks to."""
        return self._api

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds (None: wait forever)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to set up: there is no connection pool."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Decode PTB's request, let the fake API answer it and encode the answer."""
        status, body = await self._answer(url, request_data, read_timeout)
        return status, json.dumps(body, ensure_ascii=False).encode("utf-8")

    async def _answer(
        self, url: str, request_data: RequestData | None, read_timeout: object
    ) -> tuple[int, dict[str, Any]]:
        split = split_bot_api_path(urlsplit(url).path)
        if split is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        token, api_method = split
        refused = self._api.check_token(token)
        if refused is not None:
            return refused
        timeout: float | None
        if read_timeout is None or isinstance(read_timeout, int | float):
            timeout = read_timeout
        else:
            timeout = self._read_timeout
        call = self._api.handle(api_method, request_data_params(request_data))
        try:
            return await asyncio.wait_for(call, timeout)
        except TimeoutError as error:
            raise TimedOut(f"fakegram: {api_method} took longer than {timeout}s") from error
