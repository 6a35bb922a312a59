"""fakegram: a fake Telegram Bot API server that lives in the project.

Nothing here can reach Telegram. `FakeBotApi` holds the Bot API's behaviour and state in memory;
`FakeRequest` plugs it into python-telegram-bot in-process, and `serve_http` serves it over
loopback HTTP for a bot running as a subprocess (`python -m fakegram` does that from a shell).
"""

from fakegram.http import FakeBotApiServer, serve_http
from fakegram.request import FakeRequest
from fakegram.server import FakeBotApi
from fakegram.users import FakeUser
from fakegram.wire import ApiCall, ApiError, UploadedFile

__all__ = [
    "ApiCall",
    "ApiError",
    "FakeBotApi",
    "FakeBotApiServer",
    "FakeRequest",
    "FakeUser",
    "UploadedFile",
    "serve_http",
]
