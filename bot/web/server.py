"""The tip editor's web server: aiohttp on the bot's own event loop, pages drawn on the server.

It runs only when WEB_PORT is set, started and stopped with the bot (bot/app.py). Every page but
the sign-in needs a session; without one the answer is 401 and a line saying how to get a link.
A link opens with a button (a POST) rather than by being fetched, so a link preview (Telegram
fetches links in messages) cannot use it up. Every other POST carries the session's form token
and, when the browser sends one, an Origin of this site. Saving goes through the same
`TipEditor` as the chat. No access log: the sign-in URL holds a token.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.admin.file_errors import explain
from bot.admin.messages import member_view, nudge_button_labels
from bot.admin.ranking import MIN_SENT, WEAK_GAP, HabitRanking, percent, rank
from bot.admin.texts import ADMIN_TEXTS, admin_text
from bot.context import BotServices
from bot.web.links import WebSession, form_token, new_session_cookie, read_session, use_link
from bot.web.texts import web_text
from storage import draft_queries, queries, stats_queries
from storage.models import TipChange
from tips.changes import Editor
from tips.editing import AddTip, DeleteTip, EditProblem, SetEnabled, SetTexts, TipEditError
from tips.schema import MAX_TIP_LENGTH, Tip, TipGroup, telegram_length
from tips.wording import word_diff

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
COOKIE = "tips_session"
HISTORY_LENGTH = 20
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    # Not no-referrer: with it a browser posts forms with `Origin: null`, and the origin check needs it.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
SERVICES = web.AppKey("services", BotServices)
SESSION = web.RequestKey("session", WebSession)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebServer:
    """The editor's server, bound to WEB_LISTEN:WEB_PORT while the bot runs."""

    def __init__(self, services: BotServices) -> None:
        self._services = services
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        settings = self._services.settings
        assert settings.web_port is not None
        self._runner = web.AppRunner(make_app(self._services), access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, settings.web_listen, settings.web_port).start()
        log.info("tip editor listening on %s:%d", settings.web_listen, settings.web_port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def make_app(services: BotServices) -> web.Application:
    app = web.Application(middlewares=[_headers, _guard], client_max_size=64 * 1024)
    app[SERVICES] = services
    app.add_routes(
        [
            web.get("/login", login_page),
            web.post("/login", login),
            web.post("/logout", logout),
            web.get("/", home),
            web.get("/tips/{group}", habit_page),
            web.post("/tips/{group}/new", add_tip),
            web.post("/tip/{tip_id}/preview", preview),
            web.post("/tip/{tip_id}/save", save),
            web.post("/tip/{tip_id}/switch", switch),
            web.post("/tip/{tip_id}/delete", delete),
            web.static("/static", HERE / "static"),
        ]
    )
    return app


_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as error:
        response = error
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if isinstance(response, web.HTTPException):
        raise response
    return response


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A session for everything but signing in and the static files; a form token for every POST."""
    services = request.app[SERVICES]
    if request.path == "/login" or request.path.startswith("/static/"):
        return await handler(request)
    session = read_session(services, request.cookies.get(COOKIE))
    language = _language(services, session.admin_id if session else None)
    if session is None:
        return _plain(web_text(language, "no_access"), status=401)
    if request.method == "POST":
        sent = request.headers.get("X-CSRF-Token")
        if sent is None:
            sent = str((await request.post()).get("csrf", ""))
        if sent != form_token(services, session) or not _same_origin(request, services):
            return _plain(web_text(language, "bad_form"), status=403)
    request[SESSION] = session
    return await handler(request)


# --- signing in --------------------------------------------------------------------------------


async def login_page(request: web.Request) -> web.StreamResponse:
    services = request.app[SERVICES]
    language = services.settings.default_language
    token = request.query.get("t", "")
    return _render("login.html", language=language, token=token, title=web_text(language, "login_title"))


async def login(request: web.Request) -> web.StreamResponse:
    services = request.app[SERVICES]
    form = await request.post()
    if not _same_origin(request, services):
        return _plain(web_text(services.settings.default_language, "bad_form"), status=403)
    admin_id = use_link(services, str(form.get("t", "")))
    if admin_id is None:
        return _plain(web_text(services.settings.default_language, "link_invalid"), status=403)
    log.info("tip editor: admin %d signed in", admin_id)
    response = web.HTTPSeeOther("/")
    response.set_cookie(
        COOKIE,
        new_session_cookie(services, admin_id),
        httponly=True,
        samesite="Strict",
        secure=services.settings.web_url.startswith("https://"),
        path="/",
    )
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    response = web.HTTPSeeOther("/login")
    response.del_cookie(COOKIE, path="/")
    return response


async def home(request: web.Request) -> web.StreamResponse:
    return web.HTTPSeeOther(f"/tips/{TipGroup.WATER.value}")


# --- the page ----------------------------------------------------------------------------------


async def habit_page(request: web.Request) -> web.StreamResponse:
    services, session = request.app[SERVICES], _session(request)
    try:
        group = TipGroup(request.match_info["group"])
    except ValueError:
        raise web.HTTPNotFound() from None
    language = _language(services, session.admin_id)
    tips = [tip for tip in services.tips.tips if tip.group is group]
    notice = ""
    added = request.query.get("added")
    if added and services.tips.get(added) is not None:
        notice = web_text(language, "added", tip_id=added)
    error = services.tip_store.error
    return _render(
        "page.html",
        **_common(services, session, language),
        group=group,
        groups=list(TipGroup),
        rows=[_row_context(services, language, tip) for tip in tips],
        count=len(tips),
        enabled=sum(tip.enabled for tip in tips),
        ranking=_ranking(services, group),
        notice=notice,
        file_error=explain(language, error) if error is not None else "",
        title=web_text(language, "title"),
    )


async def preview(request: web.Request) -> web.StreamResponse:
    """The phone previews of the texts being typed, drawn exactly as the bot would send them."""
    services, session = request.app[SERVICES], _session(request)
    tip = services.tips.get(request.match_info["tip_id"])
    if tip is None:
        raise web.HTTPNotFound()
    form = await request.post()
    language = _language(services, session.admin_id)
    texts = {name: str(form.get(name, "")).strip() or "…" for name in ("nl", "en")}
    shown = tip.model_copy(update=texts)
    return _render("preview.html", language=language, previews=_previews(shown))


async def save(request: web.Request) -> web.StreamResponse:
    services, session = request.app[SERVICES], _session(request)
    tip_id = request.match_info["tip_id"]
    form = await request.post()
    nl, en = str(form.get("nl", "")), str(form.get("en", ""))
    base_nl, base_en = str(form.get("base_nl", "")), str(form.get("base_en", ""))
    language = _language(services, session.admin_id)
    edit = SetTexts(tip_id, nl, en, expected_nl=base_nl, expected_en=base_en)
    try:
        change = services.editor.apply(edit, _editor(services, session))
    except TipEditError as error:
        return _row_refused(services, language, tip_id, error, nl=nl, en=en, base_nl=base_nl, base_en=base_en)
    message = web_text(language, "saved" if change.changes else "nothing_changed")
    return _row(services, language, tip_id, message=message)


async def switch(request: web.Request) -> web.StreamResponse:
    services, session = request.app[SERVICES], _session(request)
    tip_id = request.match_info["tip_id"]
    language = _language(services, session.admin_id)
    tip = services.tips.get(tip_id)
    if tip is None:
        return _row(services, language, tip_id, error=web_text(language, "unknown_tip"))
    try:
        change = services.editor.apply(SetEnabled(tip_id, not tip.enabled), _editor(services, session))
    except TipEditError as error:
        return _row_refused(services, language, tip_id, error)
    message = web_text(language, "switched_off" if tip.enabled else "switched_on")
    if change.pending:
        message += " " + web_text(language, "pending")
    return _row(services, language, tip_id, message=message)


async def delete(request: web.Request) -> web.StreamResponse:
    services, session = request.app[SERVICES], _session(request)
    tip_id = request.match_info["tip_id"]
    language = _language(services, session.admin_id)
    try:
        services.editor.apply(DeleteTip(tip_id), _editor(services, session))
    except TipEditError as error:
        return _row_refused(services, language, tip_id, error)
    return _render("gone.html", message=web_text(language, "deleted", tip_id=tip_id), tip_id=tip_id)


async def add_tip(request: web.Request) -> web.StreamResponse:
    services, session = request.app[SERVICES], _session(request)
    try:
        group = TipGroup(request.match_info["group"])
    except ValueError:
        raise web.HTTPNotFound() from None
    form = await request.post()
    language = _language(services, session.admin_id)
    try:
        change = services.editor.apply(
            AddTip(group, str(form.get("nl", "")), str(form.get("en", ""))), _editor(services, session)
        )
    except TipEditError as error:
        return _plain(_refusal(services, language, error), status=422)
    return web.HTTPSeeOther(f"/tips/{group.value}?added={change.tip_id}")


# --- pieces --------------------------------------------------------------------------------------


def _row(
    services: BotServices,
    language: str,
    tip_id: str,
    *,
    message: str = "",
    error: str = "",
    conflict: Tip | None = None,
    texts: dict[str, str] | None = None,
) -> web.Response:
    tip = services.tips.get(tip_id)
    if tip is None:
        return _render("gone.html", message=error or web_text(language, "unknown_tip"), tip_id=tip_id)
    context = _row_context(services, language, tip, texts=texts)
    return _render(
        "row.html",
        **_common_for(services, language),
        row=context,
        message=message,
        error=error,
        conflict=conflict,
    )


def _row_refused(
    services: BotServices,
    language: str,
    tip_id: str,
    error: TipEditError,
    **typed: str,
) -> web.Response:
    """The row again with what the admin typed kept, and why it was not saved."""
    texts = dict(typed) if typed else None
    if error.problem is EditProblem.CONFLICT and error.current is not None and texts is not None:
        # The next save overwrites on purpose: it starts from the texts as they are now.
        texts["base_nl"], texts["base_en"] = error.current.nl, error.current.en
        who = _last_editor(services, language, tip_id)
        return _row(
            services,
            language,
            tip_id,
            error=web_text(language, "conflict", who=who),
            conflict=error.current,
            texts=texts,
        )
    return _row(services, language, tip_id, error=_refusal(services, language, error), texts=texts)


def _refusal(services: BotServices, language: str, error: TipEditError) -> str:
    which = web_text(language, f"language_{error.language or 'nl'}")
    if error.problem is EditProblem.TOO_LONG:
        return web_text(
            language, "too_long", which=which, length=error.length, over=error.over, limit=MAX_TIP_LENGTH
        )
    if error.problem is EditProblem.EMPTY_TEXT:
        return web_text(language, "empty", which=which)
    if error.problem is EditProblem.CONTROL_CHARACTERS:
        return web_text(language, "control", which=which)
    if error.problem is EditProblem.FILE_INVALID:
        detail = explain(language, error.file_error) if error.file_error is not None else ""
        return f"{web_text(language, 'file_invalid')} {detail}".strip()
    if error.problem is EditProblem.WRITE_FAILED:
        return web_text(language, "write_failed")
    return web_text(language, "unknown_tip")


def _row_context(
    services: BotServices, language: str, tip: Tip, *, texts: dict[str, str] | None = None
) -> dict[str, Any]:
    texts = texts or {}
    nl, en = texts.get("nl", tip.nl), texts.get("en", tip.en)
    shown = tip.model_copy(update={"nl": nl.strip() or "…", "en": en.strip() or "…"})
    with services.session() as session:
        changes = queries.tip_changes(session=session, tip_id=tip.id, limit=HISTORY_LENGTH)
    return {
        "tip": tip,
        "nl": nl,
        "en": en,
        "base_nl": texts.get("base_nl", tip.nl),
        "base_en": texts.get("base_en", tip.en),
        "limit": MAX_TIP_LENGTH,
        # Another engineer's `fits` (the slots a tip suits) shows here once tips have it.
        "fits": getattr(tip, "fits", None),
        "previews": _previews(shown),
        "history": [_history_entry(services, language, change) for change in changes],
    }


def _previews(tip: Tip) -> list[dict[str, Any]]:
    return [
        {
            "language": language,
            "text": member_view(tip, language),
            "buttons": nudge_button_labels(tip, language),
        }
        for language in ("nl", "en")
    ]


def _history_entry(services: BotServices, language: str, change: TipChange) -> dict[str, Any]:
    """One change as the page shows it: the chat's words, with the changed words marked."""
    zone = ZoneInfo(services.settings.default_timezone)
    when = change.changed_at.astimezone(zone).strftime("%d-%m-%Y %H:%M")
    who = change.changed_by_name if change.changed_by is not None else web_text(language, "by_file")
    pieces = []
    before, after = change.before, change.after
    if change.field in ("nl", "en") and before and after:
        pieces = [
            {"operation": piece.operation, "before": piece.before, "after": piece.after}
            for piece in word_diff(before, after)
        ]
    if change.field == "enabled":
        words = {"true": admin_text(language, "history_on"), "false": admin_text(language, "history_off")}
        before, after = words.get(before or "", before), words.get(after or "", after)
    key = f"history_field_{change.field}"
    label = admin_text(language, key) if key in ADMIN_TEXTS["nl"] else change.field
    if change.field == "tip":
        label = admin_text(language, "history_added", after="").split(":")[0] if before is None else ""
        label = label or admin_text(language, "history_deleted", before="").split(" ")[0]
    return {"when": when, "who": who, "field": label, "before": before, "after": after, "pieces": pieces}


def _last_editor(services: BotServices, language: str, tip_id: str) -> str:
    """` (Anna, 10:02)`: who made the change that got in the way, when it is known."""
    with services.session() as session:
        latest = next(iter(queries.tip_changes(session=session, tip_id=tip_id, limit=1)), None)
    if latest is None:
        return ""
    when = latest.changed_at.astimezone(ZoneInfo(services.settings.default_timezone)).strftime("%H:%M")
    who = latest.changed_by_name if latest.changed_by is not None else web_text(language, "by_file")
    return f" ({who}, {when})"


def _ranking(services: BotServices, group: TipGroup) -> HabitRanking | None:
    now = services.clock()
    with services.session() as session:
        counts = stats_queries.tip_send_counts(session=session, now=now)
        gone = {row.tip_id for row in counts if row.tip_id and services.tips.get(row.tip_id) is None}
        deleted = draft_queries.deleted_tip_texts(session=session, ids=gone)
    return next((ranking for ranking in rank(counts, services.tips, deleted) if ranking.group is group), None)


def _common(services: BotServices, session: WebSession, language: str) -> dict[str, Any]:
    return {**_common_for(services, language), "csrf": form_token(services, session)}


def _common_for(services: BotServices, language: str) -> dict[str, Any]:
    return {
        "language": language,
        "t": lambda key, **values: web_text(language, key, **values),
        "percent": percent,
        "min_sent": MIN_SENT,
        "weak_gap": WEAK_GAP,
        "limit": MAX_TIP_LENGTH,
        "length": telegram_length,
        "group_label": lambda group: admin_text(language, f"group_{group.value}"),
    }


def _render(template: str, **context: Any) -> web.Response:
    context.setdefault("t", lambda key, **values: web_text(context.get("language", "nl"), key, **values))
    html = _templates.get_template(template).render(**context)
    return web.Response(text=html, content_type="text/html", charset="utf-8")


def _plain(message: str, *, status: int) -> web.Response:
    return web.Response(text=message, status=status, content_type="text/plain", charset="utf-8")


def _session(request: web.Request) -> WebSession:
    return request[SESSION]


def _editor(services: BotServices, session: WebSession) -> Editor:
    with services.session() as db:
        name = draft_queries.web_name_of(session=db, admin_id=session.admin_id) or f"admin {session.admin_id}"
    return Editor(session.admin_id, f"{name} (web)")


def _language(services: BotServices, admin_id: int | None) -> str:
    if admin_id is not None:
        with services.session() as session:
            member = queries.get_member_by_telegram_id(session=session, telegram_id=admin_id)
        if member is not None:
            return member.language
    return services.settings.default_language


def _same_origin(request: web.Request, services: BotServices) -> bool:
    """No Origin (older browsers, tools) passes; one that is sent must be this site's."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    allowed = {_origin(services.settings.web_url), f"{request.scheme}://{request.host}"}
    return origin in allowed


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
