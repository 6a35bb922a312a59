"""What the admins see about tips: the overview, lists, previews, history and statistics,
with the inline buttons under them and the callback data behind those buttons."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.admin.texts import admin_text
from bot.callback_data import CallbackData, CallbackDataError, CallbackDataTooLong, Matches
from bot.nudges.keyboards import nudge_keyboard
from bot.nudges.messages import nudge_text
from storage.models import TipChange
from storage.stats_queries import MemberCounts, TipSendCounts
from tips.editing import LANGUAGES, FieldChange
from tips.library import TipLibrary
from tips.schema import Tip, TipGroup

# Telegram allows 4096 characters per message; long statistics are split below that.
MESSAGE_BUDGET = 3800
SNIPPET_LENGTH = 70
# The nudge each group's tips are previewed with (general tips go with no nudge).
PREVIEW_SLOTS = {
    TipGroup.WATER: "water-2",
    TipGroup.WALK: "walk-lunch",
    TipGroup.BREATHING: "breathing",
    TipGroup.SLEEP: "sleep-winddown",
}
PREVIEW_GLASSES, PREVIEW_GOAL, PREVIEW_SNOOZE_MINUTES = 3, 8, 15
FLAGS = {"nl": "🇳🇱", "en": "🇬🇧"}
GROUP_WORD = {
    "nl": {
        TipGroup.WATER: "water",
        TipGroup.WALK: "wandelen",
        TipGroup.BREATHING: "ademen",
        TipGroup.SLEEP: "slaap",
        TipGroup.GENERAL: "algemeen",
    }
}

Reply = tuple[str, InlineKeyboardMarkup | None]
TipWord = Annotated[str, Matches("[a-z0-9-]+")]


class TipButtonAction(StrEnum):
    MENU = "menu"
    STATS = "stats"
    RELOAD = "reload"
    PREVIEW = "pv"
    LIST = "l"
    SHOW = "s"
    SEND = "send"
    HISTORY = "h"
    ON = "on"
    OFF = "off"


class TipView(StrEnum):
    """The view an on/off tap came from, drawn again after it: the list or the one tip."""

    LIST = "l"
    TIP = "s"


ON_A_TIP = frozenset({TipButtonAction.SHOW, TipButtonAction.SEND, TipButtonAction.HISTORY})
TOGGLES = frozenset({TipButtonAction.ON, TipButtonAction.OFF})


class TipButton(CallbackData, prefix="t"):
    """A tap on an admin button: t:stats, t:l:{group}, t:s:{tip_id}, t:off:{view}:{tip_id}.

    On/off buttons have their view where the others have what they act on, so that place is a
    plain word, and `group`, `view` and `tip_id` read it according to the action.
    """

    action: TipButtonAction
    argument: TipWord | None = None
    toggled_id: TipWord | None = None

    def __post_init__(self) -> None:
        action, argument, toggled_id = self.action, self.argument, self.toggled_id
        if action == TipButtonAction.LIST:
            valid = argument in set(TipGroup) and toggled_id is None
        elif action in TOGGLES:
            valid = argument in set(TipView) and toggled_id is not None
        elif action in ON_A_TIP:
            valid = argument is not None and toggled_id is None
        else:
            valid = argument is None and toggled_id is None
        if not valid:
            raise CallbackDataError(f"no admin screen has this button: {self!r}")

    @property
    def group(self) -> TipGroup | None:
        return TipGroup(self.argument) if self.action == TipButtonAction.LIST and self.argument else None

    @property
    def view(self) -> TipView | None:
        return TipView(self.argument) if self.action in TOGGLES and self.argument else None

    @property
    def tip_id(self) -> str | None:
        if self.action in TOGGLES:
            return self.toggled_id
        return self.argument if self.action in ON_A_TIP else None


def group_label(language: str, group: TipGroup) -> str:
    return admin_text(language, f"group_{group.value}")


def group_word(language: str, group: TipGroup) -> str:
    return GROUP_WORD.get(language, {}).get(group, group.value)


def _button(label: str, button: TipButton) -> InlineKeyboardButton | None:
    """A button, or None when a very long tip id would not fit Telegram's 64-byte limit."""
    try:
        return InlineKeyboardButton(label, callback_data=button.pack())
    except CallbackDataTooLong:
        return None


def _keyboard(rows: Sequence[Sequence[InlineKeyboardButton | None]]) -> InlineKeyboardMarkup:
    kept = [[button for button in row if button is not None] for row in rows]
    return InlineKeyboardMarkup([row for row in kept if row])


def menu(language: str, library: TipLibrary) -> Reply:
    """The overview: a button per habit with its number of tips, statistics and reload."""
    group_buttons = [
        _button(
            f"{group_label(language, group)} · {len(_of_group(library, group))}",
            TipButton(TipButtonAction.LIST, group),
        )
        for group in TipGroup
    ]
    rows = [group_buttons[index : index + 2] for index in range(0, len(group_buttons), 2)]
    rows.append(
        [
            _button(admin_text(language, "button_stats"), TipButton(TipButtonAction.STATS)),
            _button(admin_text(language, "button_reload"), TipButton(TipButtonAction.RELOAD)),
        ]
    )
    body = f"{admin_text(language, 'menu')}\n\n{admin_text(language, 'usage')}"
    return body, _keyboard(rows)


def tip_list(language: str, library: TipLibrary, group: TipGroup) -> Reply:
    """A habit's tips, each with a preview button and an on/off button."""
    tips = _of_group(library, group)
    label = group_label(language, group)
    if not tips:
        return admin_text(language, "list_empty", group=label, word=group_word(language, group)), None
    lines = [
        admin_text(
            language, "list_title", group=label, count=len(tips), enabled=sum(tip.enabled for tip in tips)
        )
    ]
    rows: list[list[InlineKeyboardButton | None]] = []
    for number, tip in enumerate(tips, start=1):
        state = "✅" if tip.enabled else "⏸️"
        lines.append(f"\n{number}. {state} {tip.id}\n{_snippet(tip.text(language))}")
        short_id = tip.id.removeprefix(f"{group.value}-")
        toggle = (
            _button(
                admin_text(language, "button_off_short"), TipButton(TipButtonAction.OFF, TipView.LIST, tip.id)
            )
            if tip.enabled
            else _button(
                admin_text(language, "button_on_short"), TipButton(TipButtonAction.ON, TipView.LIST, tip.id)
            )
        )
        rows.append([_button(f"👁️ {number}. {short_id}", TipButton(TipButtonAction.SHOW, tip.id)), toggle])
    return "\n".join(lines), _keyboard(rows)


def tip_preview(language: str, tip: Tip, *, note: str = "") -> Reply:
    """One tip in both languages, exactly as members get it, with what an admin can do next."""
    state = admin_text(language, "state_on" if tip.enabled else "state_off")
    parts = [
        admin_text(language, "show_title", tip_id=tip.id, group=group_label(language, tip.group), state=state)
    ]
    if note:
        parts.insert(0, note)
    if tip.source:
        parts.append(admin_text(language, "show_source", source=tip.source))
    if tip.group is TipGroup.GENERAL:
        parts.append(admin_text(language, "show_general"))
    for member_language in LANGUAGES:
        parts.append("")
        parts.append(admin_text(language, "show_language", flag=FLAGS[member_language], code=member_language))
        parts.append(member_view(tip, member_language))
    toggle = (
        _button(admin_text(language, "button_disable"), TipButton(TipButtonAction.OFF, TipView.TIP, tip.id))
        if tip.enabled
        else _button(
            admin_text(language, "button_enable"), TipButton(TipButtonAction.ON, TipView.TIP, tip.id)
        )
    )
    rows = [
        [toggle],
        [_button(admin_text(language, "button_send"), TipButton(TipButtonAction.SEND, tip.id))],
        [
            _button(admin_text(language, "button_history"), TipButton(TipButtonAction.HISTORY, tip.id)),
            _button(
                admin_text(language, "button_back", group=group_label(language, tip.group)),
                TipButton(TipButtonAction.LIST, tip.group),
            ),
        ],
    ]
    return "\n".join(parts), _keyboard(rows)


def member_view(tip: Tip, language: str) -> str:
    """The message a member with this language gets when this tip goes with a nudge."""
    slot = PREVIEW_SLOTS.get(tip.group)
    if slot is None:
        return tip.text(language)
    return nudge_text(
        language=language, slot=slot, tip=tip.text(language), glasses=PREVIEW_GLASSES, goal=PREVIEW_GOAL
    )


def preview_nudge(admin_language: str, tip: Tip, language: str) -> Reply:
    """The tip as a real nudge, with the nudge's buttons; pressing them only says it is a preview."""
    note = admin_text(admin_language, "preview_note", tip_id=tip.id, code=language)
    body = f"{member_view(tip, language)}\n\n{note}"
    slot = PREVIEW_SLOTS.get(tip.group)
    if slot is None:
        return body, None
    keyboard = nudge_keyboard(
        nudge_id=0, slot=slot, language=language, snooze_count=0, snooze_minutes=PREVIEW_SNOOZE_MINUTES
    )
    rows = [
        [
            InlineKeyboardButton(button.text, callback_data=TipButton(TipButtonAction.PREVIEW).pack())
            for button in row
        ]
        for row in keyboard.inline_keyboard
    ]
    return body, InlineKeyboardMarkup(rows)


def history(language: str, tip_id: str, changes: Sequence[TipChange], zone: ZoneInfo) -> str:
    """Who changed a tip and when, newest first, each with before → after."""
    if not changes:
        return admin_text(language, "history_empty", tip_id=tip_id)
    lines = [admin_text(language, "history_title", tip_id=tip_id)]
    for change in changes:
        when = change.changed_at.astimezone(zone).strftime("%d-%m-%Y %H:%M")
        who = (
            f"{change.changed_by_name} ({change.changed_by})".strip()
            if change.changed_by is not None
            else admin_text(language, "history_by_file")
        )
        lines.append(f"\n{when} · {who}\n{change_line(language, change)}")
    return "\n".join(lines)


def change_line(language: str, change: TipChange | FieldChange) -> str:
    if change.field == "tip":
        if change.before is None:
            return admin_text(language, "history_added", after=change.after)
        return admin_text(language, "history_removed")
    return f"{change.field}: “{change.before or ''}” → “{change.after or ''}”"


def statistics(
    language: str,
    library: TipLibrary,
    counts: Sequence[TipSendCounts],
    members: MemberCounts,
    held_back: Mapping[str, tuple[int, int]] | None = None,
) -> list[str]:
    """The statistics as one or more messages (each within Telegram's length limit); `held_back`:
    per status, the nudges held back so as not to nag in 7 and 30 days."""
    head = [
        admin_text(language, "stats_title"),
        admin_text(
            language, "stats_members", active=members.active, paused=members.paused, inactive=members.inactive
        ),
    ]
    if held_back is not None:
        head.append(
            admin_text(
                language,
                "stats_held_back",
                **{status: f"{week} · {month}" for status, (week, month) in held_back.items()},
            )
        )
    head.append("")
    sections: list[list[str]] = []
    for group in TipGroup:
        rows = [row for row in counts if row.habit == group.value]
        tips = _of_group(library, group)
        if not rows and not tips:
            continue
        total = TipSendCounts(
            group.value,
            None,
            *(
                sum(getattr(row, name) for row in rows)
                for name in ("sent_7_days", "done_7_days", "sent_30_days", "done_30_days")
            ),
        )
        head.append(
            admin_text(
                language,
                "stats_habit",
                group=group_label(language, group),
                done7=total.done_7_days,
                sent7=total.sent_7_days,
                rate7=_rate(total.done_7_days, total.sent_7_days),
                done30=total.done_30_days,
                sent30=total.sent_30_days,
                rate30=_rate(total.done_30_days, total.sent_30_days),
            )
        )
        by_tip = {row.tip_id: row for row in rows}
        section = [admin_text(language, "stats_tips_title", group=group_label(language, group))]
        ids: list[str | None] = [tip.id for tip in tips]
        ids += sorted((row.tip_id for row in rows if row.tip_id not in ids), key=lambda tip_id: tip_id or "")
        for tip_id in ids:
            row = by_tip.get(tip_id) or TipSendCounts(group.value, tip_id, 0, 0, 0, 0)
            name = tip_id or admin_text(language, "stats_no_tip")
            section.append(
                f"{name}: {row.done_7_days}/{row.sent_7_days} · {row.done_30_days}/{row.sent_30_days}"
            )
        sections.append(section)
    return _pack(["\n".join(head)] + ["\n".join(section) for section in sections])


def _pack(blocks: Sequence[str]) -> list[str]:
    """Join blocks into as few messages as fit the budget (a block never straddles two)."""
    messages: list[str] = []
    for block in blocks:
        if messages and len(messages[-1]) + 2 + len(block) <= MESSAGE_BUDGET:
            messages[-1] += "\n\n" + block
        else:
            messages.extend(
                block[start : start + MESSAGE_BUDGET] for start in range(0, len(block), MESSAGE_BUDGET)
            )
    return messages


def _rate(done: int, sent: int) -> str:
    return f"{round(100 * done / sent)}%" if sent else "–"


def _snippet(text: str) -> str:
    return text if len(text) <= SNIPPET_LENGTH else text[: SNIPPET_LENGTH - 1].rstrip() + "…"


def _of_group(library: TipLibrary, group: TipGroup) -> list[Tip]:
    return [tip for tip in library.tips if tip.group is group]
