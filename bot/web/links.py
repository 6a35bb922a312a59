"""Signed one-time sign-in links and the session cookies they open, with the stdlib's HMAC.

A link carries `admin.expires.nonce` and its HMAC under WEB_SECRET; only a digest of the nonce is
stored, and using the link marks it used in the same statement that checks it, so it opens one
session once, within `LINK_LIFETIME`. A session cookie carries `admin.expires.nonce` and its HMAC
too; the form token against cross-site posts is the HMAC of the session's nonce.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.context import BotServices
from storage import draft_queries
from storage.models import WebLink

LINK_LIFETIME = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class WebSession:
    admin_id: int
    nonce: str
    expires: datetime


def issue_link(services: BotServices, admin_id: int, admin_name: str) -> str | None:
    """A fresh sign-in link for this admin, or None when the web page is off."""
    settings = services.settings
    if settings.web_port is None or settings.web_secret is None:
        return None
    now = services.clock()
    nonce = secrets.token_urlsafe(24)
    expires = now + LINK_LIFETIME
    with services.session() as session:
        draft_queries.delete_old_web_links(session=session, admin_id=admin_id, before=now - LINK_LIFETIME)
        draft_queries.add_web_link(
            session=session,
            link=WebLink(
                digest=_digest(nonce),
                admin_id=admin_id,
                admin_name=admin_name,
                created_at=now,
                expires_at=expires,
            ),
        )
    token = _sign(services, "link", f"{admin_id}.{int(expires.timestamp())}.{nonce}")
    return f"{settings.web_url}/login?t={token}"


def use_link(services: BotServices, token: str) -> int | None:
    """The admin a valid, unused, unexpired link is for (now used up), else None."""
    fields = _verified(services, "link", token)
    if fields is None:
        return None
    admin_id, expires, nonce = fields
    now = services.clock()
    if expires <= now or admin_id not in services.settings.admin_ids:
        return None
    with services.session() as session:
        found = draft_queries.use_web_link(session=session, digest=_digest(nonce), now=now)
    return found if found == admin_id else None


def new_session_cookie(services: BotServices, admin_id: int) -> str:
    expires = services.clock() + SESSION_LIFETIME
    return _sign(services, "session", f"{admin_id}.{int(expires.timestamp())}.{secrets.token_urlsafe(18)}")


def read_session(services: BotServices, cookie: str | None) -> WebSession | None:
    """The session a cookie stands for, while it lasts and its admin is still an admin."""
    if not cookie:
        return None
    fields = _verified(services, "session", cookie)
    if fields is None:
        return None
    admin_id, expires, nonce = fields
    if expires <= services.clock() or admin_id not in services.settings.admin_ids:
        return None
    return WebSession(admin_id, nonce, expires)


def form_token(services: BotServices, session: WebSession) -> str:
    """What every form of this session posts back (a page of another site cannot know it)."""
    return _mac(services, "form", session.nonce)


def _sign(services: BotServices, purpose: str, payload: str) -> str:
    encoded = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    return f"{encoded}.{_mac(services, purpose, payload)}"


def _verified(services: BotServices, purpose: str, token: str) -> tuple[int, datetime, str] | None:
    encoded, _, signature = token.partition(".")
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not signature or not hmac.compare_digest(signature, _mac(services, purpose, payload)):
        return None
    admin, _, rest = payload.partition(".")
    expires, _, nonce = rest.partition(".")
    if not (admin.isdigit() and expires.isdigit() and nonce):
        return None
    return int(admin), datetime.fromtimestamp(int(expires), tz=services.clock().tzinfo), nonce


def _mac(services: BotServices, purpose: str, payload: str) -> str:
    secret = services.settings.web_secret
    assert secret is not None
    digest = hmac.new(secret.get_secret_value().encode(), f"{purpose}:{payload}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()
