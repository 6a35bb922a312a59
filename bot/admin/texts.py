"""Every sentence the bot says to admins about the tips, in Dutch first and English second."""

from __future__ import annotations

from typing import Any

ADMIN_TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "menu": "🛠️ Tips beheren. Kies een gewoonte om de tips te zien en aan of uit te zetten.",
        "usage": (
            "Opdrachten voor tips:\n"
            "/tip water · lijst van een gewoonte (water, wandelen, ademen, slaap, algemeen)\n"
            "/tip toon ID · bekijk een tip zoals leden hem zien\n"
            "/tip nieuw water Nederlandse tekst | English text\n"
            "/tip wijzig ID nl nieuwe tekst (of: en)\n"
            "/tip aan ID · /tip uit ID\n"
            "/tip stuur ID · krijg hem als echte herinnering\n"
            "/tip geschiedenis ID · /tip herlaad · /tip stats\n"
            "English works too: list, show, add, edit, on, off, send, history, reload, stats."
        ),
        "usage_add": (
            "Zo voeg je een tip toe:\n/tip nieuw water Nederlandse tekst | English text\n"
            "Gewoontes: water, wandelen, ademen, slaap, algemeen."
        ),
        "usage_edit": "Zo wijzig je een tekst:\n/tip wijzig ID nl nieuwe tekst\n/tip wijzig ID en new text",
        "usage_tip": "Zet het id van de tip erachter, bijvoorbeeld /tip {action} water-why. /tip water toont de ids.",
        "usage_send": "Zo stuur je een tip naar jezelf: /tip stuur ID (of /tip stuur ID en).",
        "group_water": "💧 Water",
        "group_walk": "🚶 Wandelen",
        "group_breathing": "🌬️ Ademen",
        "group_sleep": "🌙 Slaap",
        "group_general": "🌿 Algemeen",
        "button_stats": "📊 Statistieken",
        "button_reload": "🔄 Herladen",
        "button_disable": "⏸️ Uitzetten",
        "button_enable": "▶️ Aanzetten",
        "button_off_short": "⏸️ Uit",
        "button_on_short": "▶️ Aan",
        "button_send": "📨 Stuur mij als herinnering",
        "button_history": "🕘 Geschiedenis",
        "button_back": "⬅️ {group}",
        "list_title": "{group}: {count} tips, {enabled} aan",
        "list_empty": "{group}: nog geen tips. Voeg er een toe met /tip nieuw {word} NL | EN",
        "state_on": "✅ aan",
        "state_off": "⏸️ uit",
        "show_title": "💡 {tip_id} · {group} · {state}",
        "show_source": "Bron: {source}",
        "show_language": "{flag} Zo zien leden hem ({code}):",
        "show_general": "(algemene tip: gaat met geen vaste herinnering mee)",
        "unknown_tip": "Geen tip met id '{tip_id}'. /tip water toont de ids.",
        "empty_text": "De tekst is leeg, dus er is niets veranderd.",
        "too_long": "De tekst is {length} tekens, het maximum is {limit}. Er is niets veranderd.",
        "control_characters": "De tekst bevat onzichtbare stuurtekens (alleen een nieuwe regel mag). "
        "Er is niets veranderd.",
        "file_invalid": "Het tipbestand heeft een fout, dus ik verander niets. Herstel eerst:\n{detail}",
        "write_failed": "Ik kon het tipbestand niet opslaan, er is niets veranderd:\n{detail}",
        "added": "✅ Tip toegevoegd: {tip_id}",
        "edited": "✅ Opgeslagen ({field}).",
        "enabled": "▶️ {tip_id} staat aan.",
        "disabled": "⏸️ {tip_id} staat uit.",
        "no_change": "Er was niets te veranderen.",
        "preview_note": "👀 Voorbeeld van {tip_id} ({code}); de knoppen slaan niets op.",
        "preview_pressed": "👀 Voorbeeld: er is niets opgeslagen.",
        "reloaded": "🔄 Tips opnieuw geladen: {count} wijziging(en).",
        "reload_unchanged": "🔄 Tips opnieuw geladen: er was niets veranderd.",
        "reload_refused": "⚠️ Het tipbestand is niet geladen; de vorige tips blijven in gebruik.\n{error}",
        "watch_reloaded": "🔄 {file} is met de hand aangepast en opnieuw geladen: {count} wijziging(en).",
        "watch_refused": "⚠️ {file} is aangepast maar heeft een fout; de vorige tips blijven in gebruik.\n{error}",
        "history_title": "🕘 Geschiedenis van {tip_id}",
        "history_empty": "🕘 {tip_id}: nog geen wijzigingen vastgelegd.",
        "history_by_file": "het bestand (met de hand)",
        "history_added": "toegevoegd: “{after}”",
        "history_removed": "verwijderd",
        "stats_title": "📊 Statistieken: verstuurd en binnen 2 uur gedaan",
        "stats_members": "Leden: {active} actief · {paused} gepauzeerd · {inactive} inactief",
        "stats_habit": "{group}: 7 dagen {done7}/{sent7} ({rate7}) · 30 dagen {done30}/{sent30} ({rate30})",
        "stats_tips_title": "{group} per tip (gedaan/verstuurd, 7 · 30 dagen):",
        "stats_no_tip": "(zonder tip)",
        "stats_held_back": "Niet verstuurd om niet te zeuren, 7 · 30 dagen: water gehalveerd {held_back}, daglimiet {capped}, rustmodus {quiet_mode}, vraag open {question_open}",
    },
    "en": {
        "menu": "🛠️ Manage tips. Pick a habit to see its tips and switch them on or off.",
        "usage": (
            "Tip commands:\n"
            "/tip water · list a habit's tips (water, walk, breathing, sleep, general)\n"
            "/tip show ID · see a tip as members see it\n"
            "/tip add water Nederlandse tekst | English text\n"
            "/tip edit ID en new text (or: nl)\n"
            "/tip on ID · /tip off ID\n"
            "/tip send ID · get it as a real nudge\n"
            "/tip history ID · /tip reload · /tip stats\n"
            "Dutch works too: lijst, toon, nieuw, wijzig, aan, uit, stuur, geschiedenis, herlaad."
        ),
        "usage_add": (
            "To add a tip:\n/tip add water Nederlandse tekst | English text\n"
            "Habits: water, walk, breathing, sleep, general."
        ),
        "usage_edit": "To change a text:\n/tip edit ID en new text\n/tip edit ID nl nieuwe tekst",
        "usage_tip": "Add the tip's id, for example /tip {action} water-why. /tip water shows the ids.",
        "usage_send": "To send a tip to yourself: /tip send ID (or /tip send ID nl).",
        "group_water": "💧 Water",
        "group_walk": "🚶 Walk",
        "group_breathing": "🌬️ Breathing",
        "group_sleep": "🌙 Sleep",
        "group_general": "🌿 General",
        "button_stats": "📊 Statistics",
        "button_reload": "🔄 Reload",
        "button_disable": "⏸️ Switch off",
        "button_enable": "▶️ Switch on",
        "button_off_short": "⏸️ Off",
        "button_on_short": "▶️ On",
        "button_send": "📨 Send me as a nudge",
        "button_history": "🕘 History",
        "button_back": "⬅️ {group}",
        "list_title": "{group}: {count} tips, {enabled} on",
        "list_empty": "{group}: no tips yet. Add one with /tip add {word} NL | EN",
        "state_on": "✅ on",
        "state_off": "⏸️ off",
        "show_title": "💡 {tip_id} · {group} · {state}",
        "show_source": "Source: {source}",
        "show_language": "{flag} As members see it ({code}):",
        "show_general": "(general tip: not tied to a nudge)",
        "unknown_tip": "No tip with id '{tip_id}'. /tip water shows the ids.",
        "empty_text": "The text is empty, so nothing was changed.",
        "too_long": "The text is {length} characters, the limit is {limit}. Nothing was changed.",
        "control_characters": "The text contains invisible control characters (only line breaks "
        "are allowed). Nothing was changed.",
        "file_invalid": "The tip file has a mistake, so I change nothing. Fix it first:\n{detail}",
        "write_failed": "I could not save the tip file, nothing was changed:\n{detail}",
        "added": "✅ Tip added: {tip_id}",
        "edited": "✅ Saved ({field}).",
        "enabled": "▶️ {tip_id} is on.",
        "disabled": "⏸️ {tip_id} is off.",
        "no_change": "There was nothing to change.",
        "preview_note": "👀 Preview of {tip_id} ({code}); the buttons store nothing.",
        "preview_pressed": "👀 Preview: nothing was stored.",
        "reloaded": "🔄 Tips reloaded: {count} change(s).",
        "reload_unchanged": "🔄 Tips reloaded: nothing had changed.",
        "reload_refused": "⚠️ The tip file was not loaded; the previous tips stay in use.\n{error}",
        "watch_reloaded": "🔄 {file} was edited by hand and reloaded: {count} change(s).",
        "watch_refused": "⚠️ {file} was edited but has a mistake; the previous tips stay in use.\n{error}",
        "history_title": "🕘 History of {tip_id}",
        "history_empty": "🕘 {tip_id}: no changes recorded yet.",
        "history_by_file": "the file (by hand)",
        "history_added": "added: “{after}”",
        "history_removed": "removed",
        "stats_title": "📊 Statistics: sent and done within 2 hours",
        "stats_members": "Members: {active} active · {paused} paused · {inactive} inactive",
        "stats_habit": "{group}: 7 days {done7}/{sent7} ({rate7}) · 30 days {done30}/{sent30} ({rate30})",
        "stats_tips_title": "{group} per tip (done/sent, 7 · 30 days):",
        "stats_no_tip": "(no tip)",
        "stats_held_back": "Not sent so as not to nag, 7 · 30 days: water halved {held_back}, daily cap {capped}, quiet mode {quiet_mode}, question open {question_open}",
    },
}


def admin_text(language: str, key: str, **values: Any) -> str:
    """The admin sentence `key` in `language` (Dutch when the language is unknown), filled in."""
    table = ADMIN_TEXTS.get(language, ADMIN_TEXTS["nl"])
    return table.get(key, ADMIN_TEXTS["nl"][key]).format(**values)
