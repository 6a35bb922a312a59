"""What the admins see about tips: the overview, lists, previews, history and statistics,
with the inline buttons under them and the callback data behind those buttons."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.admin.ranking import MIN_SENT, WEAK_GAP, HabitRanking, TipRank, percent
from bot.admin.texts import ADMIN_TEXTS, admin_text
from bot.callback_data import CallbackData, CallbackDataError, CallbackDataTooLong, Matches
from bot.nudges.keyboards import nudge_keyboard
from bot.nudges.messages import nudge_text
from scheduler.release_plan import BusyMinute
from storage.models import TipChange
from storage.stats_queries import DeliveryCounts, MemberCounts
from tips.editing import LANGUAGES, FieldChange
from tips.library import TipLibrary
from tips.schema import Tip, TipGroup
from tips.wording import marked

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
    EDIT = "e"
    DELETE = "del"
    DELETE_CONFIRMED = "delok"
    FULL_STATS = "full"


class TipView(StrEnum):
    """The view an on/off tap came from, drawn again after it: the list or the one tip."""

    LIST = "l"
    TIP = "s"


ON_A_TIP = frozenset(
    {
        TipButtonAction.SHOW,
        TipButtonAction.SEND,
        TipButtonAction.HISTORY,
        TipButtonAction.EDIT,
        TipButtonAction.DELETE,
        TipButtonAction.DELETE_CONFIRMED,
    }
)
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
        rows.append(
            [
                _button(f"👁️ {number}. {short_id}", TipButton(TipButtonAction.SHOW, tip.id)),
                _button(admin_text(language, "button_edit"), TipButton(TipButtonAction.EDIT, tip.id)),
                toggle,
            ]
        )
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
        [
            _button(admin_text(language, "button_edit_long"), TipButton(TipButtonAction.EDIT, tip.id)),
            toggle,
        ],
        [_button(admin_text(language, "button_send"), TipButton(TipButtonAction.SEND, tip.id))],
        [
            _button(admin_text(language, "button_history"), TipButton(TipButtonAction.HISTORY, tip.id)),
            _button(
                admin_text(language, "button_back", group=group_label(language, tip.group)),
                TipButton(TipButtonAction.LIST, tip.group),
            ),
        ],
        [_button(admin_text(language, "button_delete"), TipButton(TipButtonAction.DELETE, tip.id))],
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


def nudge_button_labels(tip: Tip, language: str) -> list[list[str]]:
    """The labels of the buttons a member sees under this tip's nudge, row by row (none for general)."""
    slot = PREVIEW_SLOTS.get(tip.group)
    if slot is None:
        return []
    keyboard = nudge_keyboard(
        nudge_id=0, slot=slot, language=language, snooze_count=0, snooze_minutes=PREVIEW_SNOOZE_MINUTES
    )
    return [[button.text for button in row] for row in keyboard.inline_keyboard]


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


def history(
    language: str,
    tip_id: str,
    changes: Sequence[TipChange],
    zone: ZoneInfo,
    *,
    exists: bool = True,
    loaded_with: Mapping[datetime, int] | None = None,
) -> str:
    """Who changed a tip and when, newest first, each change with its changed words marked.

    `loaded_with` counts, per moment, the hand edits found in one reload (so an admin can tell
    one edit from a whole batch picked up at once).
    """
    if not changes:
        return admin_text(language, "history_empty", tip_id=tip_id)
    lines = [admin_text(language, "history_title", tip_id=tip_id)]
    if not exists:
        lines.append(admin_text(language, "history_deleted_tip", tip_id=tip_id))
    for change in changes:
        when = change.changed_at.astimezone(zone).strftime("%d-%m-%Y %H:%M")
        if change.changed_by is not None:
            who = f"{change.changed_by_name} ({change.changed_by})".strip()
        else:
            who = admin_text(language, "history_by_file")
            others = (loaded_with or {}).get(change.changed_at, 1) - 1
            if others > 0:
                who += f", {admin_text(language, 'history_together', count=others)}"
        lines.append(f"\n{when} · {who}\n{change_line(language, change)}")
    return "\n".join(lines)


def change_line(language: str, change: TipChange | FieldChange) -> str:
    """One change in the admin's words: `🇳🇱 tekst: Drink [een → twee] glazen`."""
    if change.field == "tip":
        if change.before is None:
            return admin_text(language, "history_added", after=change.after)
        return admin_text(language, "history_deleted", before=change.before)
    label = (
        admin_text(language, f"history_field_{change.field}")
        if f"history_field_{change.field}" in ADMIN_TEXTS["nl"]
        else change.field
    )
    if change.field == "enabled":
        words = {"true": admin_text(language, "history_on"), "false": admin_text(language, "history_off")}
        return f"{label}: {words.get(change.before or '', '–')} → {words.get(change.after or '', '–')}"
    if change.field in LANGUAGES and change.before and change.after:
        return f"{label}: {marked(change.before, change.after)}"
    return f"{label}: “{change.before or ''}” → “{change.after or ''}”"


@dataclass(frozen=True)
class Capacity:
    """What the rate made of the nudges, and what tomorrow's routines ask of it."""

    delivery: DeliveryCounts
    busiest: Sequence[BusyMinute]
    rate_per_second: float
    zone: ZoneInfo
    # None: paid broadcasts are off.
    paid_a_day: int | None = None


def capacity_lines(language: str, capacity: Capacity) -> list[str]:
    """Late, missed and today's paid nudges, then tomorrow's busiest minute with a hint when some
    would be late: one line, so the screen still fits a phone."""
    late, missed = capacity.delivery.late, capacity.delivery.missed
    delivery = admin_text(
        language, "stats_delivery", late=f"{late[0]} · {late[1]}", missed=f"{missed[0]} · {missed[1]}"
    )
    if capacity.paid_a_day is not None:
        delivery += admin_text(
            language, "stats_paid", count=capacity.delivery.paid_today, limit=capacity.paid_a_day
        )
    lines = [delivery]
    if capacity.busiest:
        # One line with the counts, so that the screen keeps to a phone's height.
        lines = [delivery + "."]
        # The minute with most nudges late, else the one with most due.
        minute = max(capacity.busiest, key=lambda busy: (busy.late, busy.due))
        busiest = admin_text(
            language,
            "stats_busy_line",
            time=f"{minute.minute.astimezone(capacity.zone):%H:%M}",
            due=_thousands(language, minute.due),
            minutes="<1" if minute.seconds < 60 else round(minute.seconds / 60),
            rate=f"{capacity.rate_per_second:g}",
            late=_thousands(language, minute.late),
        )
        hint = admin_text(language, "stats_busy_hint" if minute.late else "stats_busy_fine")
        lines = [f"{lines[0]} {busiest}{hint}"]
    return lines


def _thousands(language: str, number: int) -> str:
    """60000 -> "60.000" in Dutch, "60,000" in English."""
    grouped = f"{number:,}"
    return grouped.replace(",", ".") if language == "nl" else grouped


def statistics(
    language: str,
    rankings: Sequence[HabitRanking],
    members: MemberCounts,
    held_back: Mapping[str, tuple[int, int]] | None = None,
    capacity: Capacity | None = None,
) -> Reply:
    """The statistics on one phone screen: per habit its rate, its best and weak tips; `held_back`:
    per status, the nudges held back so as not to nag in 7 and 30 days; `capacity`: what the rate
    made of the nudges, and tomorrow's busiest minutes."""
    lines = [
        admin_text(language, "stats_short_title"),
        admin_text(
            language, "stats_members", active=members.active, paused=members.paused, inactive=members.inactive
        ),
    ]
    if held_back is not None:
        lines.append(
            admin_text(
                language,
                "stats_held_back",
                **{status: f"{week} · {month}" for status, (week, month) in held_back.items()},
            )
        )
    if capacity is not None:
        lines += capacity_lines(language, capacity)
    for ranking in rankings:
        if ranking.group is TipGroup.GENERAL and not ranking.sent_30:
            continue
        lines.append("")
        lines.append(
            admin_text(
                language,
                "stats_habit_line",
                group=group_label(language, ranking.group),
                rate=percent(ranking.rate),
                sent=ranking.sent_30,
                rate7=percent(ranking.rate_7),
            )
        )
        if not ranking.sent_30:
            lines.append(admin_text(language, "stats_nothing"))
            continue
        strong = [entry for entry in ranking.ranked if not entry.weak][:2]
        weak = [entry for entry in ranking.ranked if entry.weak][-2:]
        if strong:
            lines.append(admin_text(language, "stats_best", tips=_ranked_names(ranking.group, strong)))
        if weak:
            lines.append(admin_text(language, "stats_weak", tips=_ranked_names(ranking.group, weak)))
        few = [entry for entry in ranking.few if entry.deleted_text is None]
        if few:
            lines.append(admin_text(language, "stats_few", count=len(few)))
    lines.append("")
    lines.append(admin_text(language, "stats_rules", minimum=MIN_SENT, gap=WEAK_GAP))
    keyboard = _keyboard(
        [[_button(admin_text(language, "button_stats_full"), TipButton(TipButtonAction.FULL_STATS))]]
    )
    return "\n".join(lines), keyboard


def full_statistics(language: str, rankings: Sequence[HabitRanking]) -> list[str]:
    """Every tip of every habit, ranked, as one or more messages within Telegram's limit."""
    blocks = [admin_text(language, "stats_full_title")]
    for ranking in rankings:
        if not ranking.sent_30 and not ranking.ranked and not ranking.few:
            continue
        lines = [
            f"{group_label(language, ranking.group)}: {percent(ranking.rate)} "
            f"({ranking.done_30}/{ranking.sent_30} · {ranking.done_7}/{ranking.sent_7})"
        ]
        for number, entry in enumerate(ranking.ranked, start=1):
            flag = " ⚠️" if entry.weak else ""
            lines.append(
                f"{number}. {_rank_name(language, entry)} {percent(entry.rate)}{flag} {_counts(entry)}"
            )
        if ranking.few:
            lines.append(admin_text(language, "stats_full_few"))
            lines.extend(f"· {_rank_name(language, entry)} {_counts(entry)}" for entry in ranking.few)
        if ranking.without_tip is not None:
            entry = ranking.without_tip
            lines.append(f"· {admin_text(language, 'stats_no_tip')} {percent(entry.rate)} {_counts(entry)}")
        blocks.append("\n".join(lines))
    return _pack(blocks)


def _counts(entry: TipRank) -> str:
    return f"({entry.done_30}/{entry.sent_30} · {entry.done_7}/{entry.sent_7})"


def _rank_name(language: str, entry: TipRank) -> str:
    name = entry.tip_id or admin_text(language, "stats_no_tip")
    if entry.deleted_text is not None:
        return admin_text(language, "stats_deleted", tip_id=name, text=_snippet(entry.deleted_text, 40))
    return name if entry.enabled else f"⏸️ {name}"


def _ranked_names(group: TipGroup, entries: Sequence[TipRank]) -> str:
    return " · ".join(
        f"{(entry.tip_id or '').removeprefix(group.value + '-')} {percent(entry.rate)}" for entry in entries
    )


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


def _snippet(text: str, length: int = SNIPPET_LENGTH) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _of_group(library: TipLibrary, group: TipGroup) -> list[Tip]:
    return [tip for tip in library.tips if tip.group is group]
