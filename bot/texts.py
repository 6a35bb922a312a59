"""Every sentence the bot says to members, in Dutch first and English second."""

from __future__ import annotations

from typing import Any

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "welcome": (
            "Hoi {name}! Ik help je elke dag met water, wandelen, ademen en slaap: één tik is genoeg.\n"
            "Met /settings pas je tijden en gewoontes aan."
        ),
        "welcome_back": "Welkom terug, {name}! Je instellingen staan nog. /today laat je dag zien, /settings past ze aan.",
        "help": (
            "Ik help je met vier dagelijkse gewoontes: water 💧, wandelen na het eten 🚶, "
            "ademen 🌬️ en slaap 🌙.\n\n"
            "Tik op de knoppen onder een herinnering, of typ bijvoorbeeld:\n"
            "• klaar / gedaan / ✅\n• 2 glazen / +1\n• 7,5 uur\n• wandeling gedaan / overslaan\n\n"
            "/today je dag · /settings instellingen · /help deze uitleg\n"
            "/stats je reeksen · /week je week in beeld · /privacy je gegevens\n\n"
            "Ik geef leefstijltips, geen medisch advies."
        ),
        "not_understood": (
            "Dat begreep ik niet helemaal. Tik op een knop, of typ bijvoorbeeld "
            "'klaar', '2 glazen', '+1' of '7,5 uur'."
        ),
        "nothing_open": (
            "Er staat nu geen herinnering open. Typ bijvoorbeeld 'wandeling gedaan', "
            "'2 glazen' of '7,5 uur', of kijk bij /today."
        ),
        "needs_hours": "Hoeveel uur heb je geslapen? Tik op een knop of typ bijvoorbeeld '7,5 uur'.",
        "not_registered": "Stuur eerst /start, dan zet ik je herinneringen klaar.",
        "private_only": "Ik werk alleen in een privégesprek: stuur me daar /start.",
        "non_text": "Ik lees alleen tekst en knoppen. Typ bijvoorbeeld 'klaar' of '2 glazen'.",
        "unknown_command": "Die opdracht ken ik niet. /help laat zien wat ik kan.",
        "error_apology": "Sorry, er ging iets mis aan mijn kant. Probeer het zo nog eens.",
        "nudge_water": "💧 Tijd voor een glas water ({glasses}/{goal})",
        "nudge_walk": "🚶 Even wandelen na het {meal}?",
        "nudge_breathing": "🌬️ Twee minuten om rustig te ademen",
        "nudge_sleep-winddown": "🌙 Tijd om af te bouwen voor het slapen",
        "nudge_sleep-morning": "☀️ Goedemorgen! Hoeveel uur heb je geslapen?",
        "meal_breakfast": "ontbijt",
        "meal_lunch": "lunch",
        "meal_dinner": "avondeten",
        "button_glass": "💧 +1 glas",
        "button_done": "✅ Gedaan",
        "button_snooze": "⏰ Over {minutes} min",
        "button_skip": "⏭️ Overslaan",
        "button_hours": "{hours} u",
        "button_hours_max": "{hours}+ u",
        "answer_glass": "💧 Genoteerd: {glasses}/{goal} glazen vandaag.",
        "answer_glass_goal": "🎉 Doel gehaald: {glasses}/{goal} glazen! Vandaag geen waterherinneringen meer.",
        "answer_done": "✅ Gedaan. Goed bezig!",
        "answer_skipped": "⏭️ Overgeslagen. Geen punt, er komt een nieuw moment.",
        "answer_hours": "😴 {hours} uur geslapen, genoteerd.",
        "answer_snoozed": "⏰ Ik kom over {minutes} minuten terug.",
        "answer_snooze_limit": "Je hebt deze al twee keer uitgesteld. Gedaan of overslaan?",
        "answer_already": "Deze had je al beantwoord 👍",
        "answer_expired": "Deze herinnering is van een eerdere dag. /today laat je dag van vandaag zien.",
        "answer_unknown": "Deze knop werkt niet meer. /today laat je dag zien.",
        "today_title": "📋 Vandaag ({day})",
        "today_water": "💧 Water: {glasses}/{goal} glazen",
        "today_walks": "🚶 Wandelen: {marks}",
        "today_breathing": "🌬️ Ademen: {mark}",
        "today_wind_down": "🌙 Afbouwen: {mark}",
        "today_sleep": "😴 Slaap: {hours} uur",
        "today_sleep_unknown": "😴 Slaap: nog niet ingevuld",
        "today_nothing": "Je hebt geen gewoontes aan staan. Zet ze aan via /settings.",
        "habit_water": "Water",
        "habit_walk": "Wandelen",
        "habit_breathing": "Ademen",
        "habit_sleep": "Slaap",
        "stats_title": "📊 Je voortgang",
        "stats_explain": "Reeks: dagen op rij gehaald. Overslaan en pauze breken je reeks niet.",
        "stats_habit": "{icon} {name}: reeks {current} · beste {best} · deze week {week}/7",
        "stats_water_week": "💧 Deze week {glasses} glazen water",
        "stats_sleep_week": "😴 Deze week gemiddeld {hours} uur slaap ({nights} nachten)",
        "stats_sleep_none": "😴 Deze week nog geen slaapuren ingevuld",
        "week_caption_great": "📊 Je week: {done} van de {counted} gewoontedagen gehaald. Knap gedaan! 🎉",
        "week_caption_good": "📊 Je week: {done} van de {counted} gewoontedagen gehaald. Goed bezig! 💪",
        "week_caption_start": "📊 Je week: {done} van de {counted} gewoontedagen gehaald. Elke dag is een nieuwe kans 🌱",
        "week_caption_empty": "📊 Je week in beeld. Tik op de herinneringen, dan vult hij zich vanzelf 🌱",
        "week_tip": "💡 Tip voor de komende week: {tip}",
        "chart_title": "Jouw week",
        "chart_weekdays": "ma,di,wo,do,vr,za,zo",
        "chart_months": "jan,feb,mrt,apr,mei,jun,jul,aug,sep,okt,nov,dec",
        "chart_legend_done": "gedaan",
        "chart_legend_skipped": "overgeslagen",
        "chart_legend_missed": "gemist",
        "chart_legend_paused": "pauze",
        "chart_water_title": "Water (glazen)",
        "chart_sleep_title": "Slaap (uren)",
        "chart_no_habits": "Geen gewoontes aan",
        "privacy": (
            "🔒 Privacy\n"
            "Wat ik bewaar: je Telegram-id, voornaam, taal, tijdzone, je tijden en instellingen, "
            "je check-ins (wat, welke dag, hoeveel) en welke herinneringen ik stuurde, zodat je er nooit twee krijgt.\n"
            "Waarom: alleen om je op het goede moment te herinneren en je voortgang te laten zien. "
            "Ik deel niets met anderen en toon geen advertenties.\n"
            "De tekst van je berichten bewaar ik niet, alleen wat ik eruit haal (zoals '2 glazen').\n"
            "Hoe lang: zolang je de bot gebruikt. /export stuurt je al je gegevens als bestand, "
            "/delete wist alles meteen en voorgoed."
        ),
        "no_data": "Ik heb geen gegevens van je opgeslagen.",
        "export_intro": "📦 Je gegevens: je check-ins (CSV, opent in elke spreadsheet) en je instellingen (JSON).",
        "export_checkins_caption": "Check-ins: {count}",
        "export_settings_caption": "Instellingen, pauzes en weekoverzichten",
        "delete_confirm": (
            "⚠️ Weet je het zeker? Ik wis je instellingen, al je check-ins, herinneringen, "
            "pauzes en statistieken. Dit kan niet ongedaan worden gemaakt."
        ),
        "button_delete_confirm": "🗑️ Ja, wis alles",
        "button_delete_cancel": "↩️ Nee, laat staan",
        "delete_done": "✅ Alles is gewist. Je krijgt geen berichten meer van me. Wil je later opnieuw beginnen? Stuur /start.",
        "delete_cancelled": "👍 Niets gewist, alles blijft zoals het was.",
        "delete_expired": "Deze knop is verlopen. Stuur /delete opnieuw als je alles wilt wissen.",
    },
    "en": {
        "welcome": (
            "Hi {name}! I'll nudge you daily for water, walking, breathing and sleep: one tap answers.\n"
            "Use /settings to change times and habits."
        ),
        "welcome_back": "Welcome back, {name}! Your settings are still here. /today shows your day, /settings changes them.",
        "help": (
            "I help you with four daily habits: water 💧, a walk after meals 🚶, "
            "breathing 🌬️ and sleep 🌙.\n\n"
            "Tap the buttons under a reminder, or type for example:\n"
            "• done / ✅\n• 2 glasses / +1\n• slept 7.5h\n• walk done / skip\n\n"
            "/today your day · /settings settings · /help this text\n"
            "/stats your streaks · /week your week at a glance · /privacy your data\n\n"
            "I give lifestyle tips, not medical advice."
        ),
        "not_understood": (
            "I didn't quite get that. Tap a button, or type for example "
            "'done', '2 glasses', '+1' or 'slept 7.5h'."
        ),
        "nothing_open": (
            "There is no open reminder right now. Type for example 'walk done', "
            "'2 glasses' or 'slept 7.5h', or see /today."
        ),
        "needs_hours": "How many hours did you sleep? Tap a button or type e.g. '7.5h'.",
        "not_registered": "Send /start first and I'll set up your reminders.",
        "private_only": "I only work in a private chat: send me /start there.",
        "non_text": "I only read text and buttons. Type for example 'done' or '2 glasses'.",
        "unknown_command": "I don't know that command. /help shows what I can do.",
        "error_apology": "Sorry, something went wrong on my side. Please try again in a moment.",
        "nudge_water": "💧 Time for a glass of water ({glasses}/{goal})",
        "nudge_walk": "🚶 A short walk after {meal}?",
        "nudge_breathing": "🌬️ Two minutes of calm breathing",
        "nudge_sleep-winddown": "🌙 Time to wind down for sleep",
        "nudge_sleep-morning": "☀️ Good morning! How many hours did you sleep?",
        "meal_breakfast": "breakfast",
        "meal_lunch": "lunch",
        "meal_dinner": "dinner",
        "button_glass": "💧 +1 glass",
        "button_done": "✅ Done",
        "button_snooze": "⏰ In {minutes} min",
        "button_skip": "⏭️ Skip",
        "button_hours": "{hours} h",
        "button_hours_max": "{hours}+ h",
        "answer_glass": "💧 Noted: {glasses}/{goal} glasses today.",
        "answer_glass_goal": "🎉 Goal reached: {glasses}/{goal} glasses! No more water reminders today.",
        "answer_done": "✅ Done. Nice work!",
        "answer_skipped": "⏭️ Skipped. No problem, there will be another moment.",
        "answer_hours": "😴 {hours} hours of sleep, noted.",
        "answer_snoozed": "⏰ I'll be back in {minutes} minutes.",
        "answer_snooze_limit": "You've put this off twice already. Done or skip?",
        "answer_already": "You already answered this one 👍",
        "answer_expired": "This reminder is from an earlier day. /today shows today.",
        "answer_unknown": "This button no longer works. /today shows your day.",
        "today_title": "📋 Today ({day})",
        "today_water": "💧 Water: {glasses}/{goal} glasses",
        "today_walks": "🚶 Walks: {marks}",
        "today_breathing": "🌬️ Breathing: {mark}",
        "today_wind_down": "🌙 Wind-down: {mark}",
        "today_sleep": "😴 Sleep: {hours} h",
        "today_sleep_unknown": "😴 Sleep: not filled in yet",
        "today_nothing": "You have no habits switched on. Switch them on in /settings.",
        "habit_water": "Water",
        "habit_walk": "Walks",
        "habit_breathing": "Breathing",
        "habit_sleep": "Sleep",
        "stats_title": "📊 Your progress",
        "stats_explain": "Streak: days in a row. Skips and pauses don't break your streak.",
        "stats_habit": "{icon} {name}: streak {current} · best {best} · this week {week}/7",
        "stats_water_week": "💧 {glasses} glasses of water this week",
        "stats_sleep_week": "😴 {hours} hours of sleep on average this week ({nights} nights)",
        "stats_sleep_none": "😴 No hours of sleep filled in this week yet",
        "week_caption_great": "📊 Your week: {done} of {counted} habit days done. Well done! 🎉",
        "week_caption_good": "📊 Your week: {done} of {counted} habit days done. Nice going! 💪",
        "week_caption_start": "📊 Your week: {done} of {counted} habit days done. Every day is a fresh chance 🌱",
        "week_caption_empty": "📊 Your week at a glance. Tap the reminders and it fills up by itself 🌱",
        "week_tip": "💡 Tip for the coming week: {tip}",
        "chart_title": "Your week",
        "chart_weekdays": "Mon,Tue,Wed,Thu,Fri,Sat,Sun",
        "chart_months": "Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec",
        "chart_legend_done": "done",
        "chart_legend_skipped": "skipped",
        "chart_legend_missed": "missed",
        "chart_legend_paused": "paused",
        "chart_water_title": "Water (glasses)",
        "chart_sleep_title": "Sleep (hours)",
        "chart_no_habits": "No habits switched on",
        "privacy": (
            "🔒 Privacy\n"
            "What I store: your Telegram id, first name, language, time zone, your times and settings, "
            "your check-ins (what, which day, how much) and which reminders I sent, so you never get one twice.\n"
            "Why: only to remind you at the right moment and to show your progress. "
            "I share nothing with anyone and show no ads.\n"
            "I don't keep the text of your messages, only what I read from them (like '2 glasses').\n"
            "How long: as long as you use the bot. /export sends you all your data as files, "
            "/delete erases everything at once and for good."
        ),
        "no_data": "I have no data of yours stored.",
        "export_intro": "📦 Your data: your check-ins (CSV, opens in any spreadsheet) and your settings (JSON).",
        "export_checkins_caption": "Check-ins: {count}",
        "export_settings_caption": "Settings, pauses and weekly reports",
        "delete_confirm": (
            "⚠️ Are you sure? I'll erase your settings, all your check-ins, reminders, "
            "pauses and statistics. This cannot be undone."
        ),
        "button_delete_confirm": "🗑️ Yes, erase everything",
        "button_delete_cancel": "↩️ No, keep it",
        "delete_done": "✅ Everything is erased. You won't get any more messages from me. Want to start again later? Send /start.",
        "delete_cancelled": "👍 Nothing erased, everything stays as it was.",
        "delete_expired": "This button has expired. Send /delete again if you want to erase everything.",
    },
}


def text(language: str, key: str, **values: Any) -> str:
    """The sentence `key` in `language` (Dutch when the language is unknown), filled in."""
    table = TEXTS.get(language, TEXTS["nl"])
    return table.get(key, TEXTS["nl"][key]).format(**values)


def format_hours(language: str, hours: float) -> str:
    """7.5 -> "7,5" in Dutch and "7.5" in English; whole hours without decimals."""
    shown = f"{hours:g}" if hours != int(hours) else str(int(hours))
    return shown.replace(".", ",") if language == "nl" else shown
