"""HTTP transport: serve a `FakeBotApi` on a loopback port, like api.telegram.org.

    server = await serve_http(api)          # port 0: pick a free port
    ...  # run the bot with TELEGRAM_API_URL=server.base_url (e.g. http://127.0.0.1:54321/bot)
    await server.close()

Only the standard library is used: a small HTTP/1.1 server on `asyncio.start_server` with
keep-alive, Content-Length and chunked bodies, and the three body encodings the Bot API accepts
(application/json, application/x-www-form-urlencoded, multipart/form-data), for GET and POST
on `/bot<token>/<method>`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fakegram.request import split_bot_api_path
from fakegram.server import FakeBotApi
from fakegram.wire import JSONDict, UploadedFile

__all__ = ["FakeBotApiServer", "serve_http"]

_LOGGER = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024 * 1024  # above Telegram's 50 MB upload limit
MAX_HEADERS = 100
_HEADER_PARAM = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


class _HttpError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


@dataclass
class _Request:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    keep_alive: bool


def _error_body(status: int, description: str) -> JSONDict:
    return {"ok": False, "error_code": status, "description": description}


def _header_params(value: str) -> tuple[str, dict[str, str]]:
    """Split `type/sub; a=1; b="x"` into ("type/sub", {"a": "1", "b": "x"})."""
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for name, raw in _HEADER_PARAM.findall(";" + rest):
        raw = raw.strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params[name.lower()] = raw
    return main.strip().lower(), params


def _unescape_form_name(value: str) -> str:
    # httpx (and browsers) percent-escape these characters inside quoted multipart names.
    return value.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")


def parse_multipart(body: bytes, boundary: str) -> dict[str, Any]:
    """The fields of a multipart/form-data body; parts with a filename become UploadedFiles."""
    if not boundary:
        raise _HttpError(400, "Bad Request: multipart boundary is missing")
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    sections = (b"\r\n" + body).split(delimiter)
    fields: dict[str, Any] = {}
    for section in sections[1:]:
        if section.startswith(b"--"):
            return fields
        head, separator, content = section.partition(b"\r\n\r\n")
        if not separator:
            raise _HttpError(400, "Bad Request: malformed multipart part")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        _, disposition = _header_params(headers.get("content-disposition", ""))
        name = _unescape_form_name(disposition.get("name", ""))
        if not name:
            raise _HttpError(400, "Bad Request: multipart part without a name")
        if "filename" in disposition:
            mime_type = headers.get("content-type", "application/octet-stream")
            fields[name] = UploadedFile(
                filename=_unescape_form_name(disposition["filename"]),
                mime_type=mime_type,
                data=content,
            )
        else:
            fields[name] = content.decode("utf-8")
    raise _HttpError(400, "Bad Request: multipart body is not terminated")


def parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    """The Bot API parameters in a request body of any encoding Telegram accepts."""
    mime_type, params = _header_params(content_type)
    try:
        if mime_type == "application/json":
            data = json.loads(body.decode("utf-8")) if body.strip() else {}
            if not isinstance(data, dict):
                raise _HttpError(400, "Bad Request: the JSON body must be an object")
            return data
        if mime_type == "application/x-www-form-urlencoded":
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        if mime_type == "multipart/form-data":
            return parse_multipart(body, params.get("boundary", ""))
    except (UnicodeDecodeError, ValueError) as error:
        raise _HttpError(400, f"Bad Request: can't parse request body: {error}") from error
    if body.strip():
        raise _HttpError(400, f"Bad Request: unsupported Content-Type {mime_type!r}")
    return {}


async def _read_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> _Request | None:
    line = b"\r\n"
    while line in (b"\r\n", b"\n"):  # RFC 9112 allows empty lines before a request
        line = await reader.readline()
    if not line:
        return None
    request_line = line.decode("latin-1").rstrip("\r\n").split(" ")
    if len(request_line) != 3 or not request_line[2].startswith("HTTP/1."):
        raise _HttpError(400, "Bad Request: malformed request line")
    method, target, version = request_line
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADERS):
        header = await reader.readline()
        if header in (b"\r\n", b"\n", b""):
            break
        name, colon, value = header.decode("latin-1").partition(":")
        if not colon:
            raise _HttpError(400, "Bad Request: malformed header")
        key = name.strip().lower()
        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    else:
        raise _HttpError(431, "Request Header Fields Too Large")

    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
    if headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    if "chunked" in headers.get("transfer-encoding", "").lower():
        chunks: list[bytes] = []
        size = 0
        while True:
            size_line = await reader.readline()
            chunk_size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if chunk_size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                break
            size += chunk_size
            if size > MAX_BODY_BYTES:
                raise _HttpError(413, "Request Entity Too Large")
            chunks.append(await reader.readexactly(chunk_size))
            await reader.readline()
        body = b"".join(chunks)
    else:
        length = int(headers.get("content-length", "0") or "0")
        if length < 0 or length > MAX_BODY_BYTES:
            raise _HttpError(413, "Request Entity Too Large")
        body = await reader.readexactly(length) if length else b""
    return _Request(method.upper(), target, headers, body, keep_alive)


def _encode_response(status: int, body: JSONDict, *, keep_alive: bool) -> bytes:
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n"
        "Server: fakegram\r\n\r\n"
    )
    return head.encode("latin-1") + payload


class FakeBotApiServer:
    """A running HTTP server for a `FakeBotApi`; close it with `await server.close()`."""

    def __init__(self, api: FakeBotApi, host: str) -> None:
        self.api = api
        self.host = host
        self.port = 0
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[Any]] = set()

    @property
    def base_url(self) -> str:
        """The Bot API base URL for PTB (`Bot(token, base_url=...)`), ending in "/bot"."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/bot"

    async def start(self, port: int = 0) -> None:
        """Listen on `port` (0: any free port); `self.port` is the actual port afterwards."""
        self._server = await asyncio.start_server(self._serve_connection, self.host, port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Stop listening and drop open connections (including pending long polls)."""
        if self._server is None:
            return
        server, self._server = self._server, None
        server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await server.wait_closed()

    async def __aenter__(self) -> FakeBotApiServer:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            keep_alive = True
            while keep_alive:
                try:
                    request = await _read_request(reader, writer)
                except _HttpError as error:
                    writer.write(
                        _encode_response(
                            error.status,
                            _error_body(error.status, error.description),
                            keep_alive=False,
                        )
                    )
                    await writer.drain()
                    return
                if request is None:
                    return
                keep_alive = request.keep_alive
                status, body = await self._dispatch(request)
                writer.write(_encode_response(status, body, keep_alive=keep_alive))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            return  # the client went away or sent garbage; nobody is left to answer
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()

    async def _dispatch(self, request: _Request) -> tuple[int, JSONDict]:
        url = urlsplit(request.target)
        split = split_bot_api_path(url.path)
        if split is None or url.path.strip("/").count("/") != 1:
            return 404, _error_body(404, "Not Found")
        if request.method not in ("GET", "POST"):
            return 405, _error_body(405, "Method Not Allowed")
        token, method = split
        refused = self.api.check_token(token)
        if refused is not None:
            return refused
        try:
            params: dict[str, Any] = dict(parse_qsl(url.query, keep_blank_values=True))
            params.update(parse_body(request.headers.get("content-type", ""), request.body))
        except _HttpError as error:
            return error.status, _error_body(error.status, error.description)
        try:
            return await self.api.handle(method, params)
        except Exception as error:
            _LOGGER.exception("fakegram: %s crashed", method)
            return 500, _error_body(500, f"Internal Server Error: {error!r}")


async def serve_http(api: FakeBotApi, host: str = "127.0.0.1", port: int = 0) -> FakeBotApiServer:
    """Start serving `api` over HTTP on `host:port` (port 0 picks a free one)."""
    server = FakeBotApiServer(api, host)
    await server.start(port)
    return server
