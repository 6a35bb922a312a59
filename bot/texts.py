"""Every sentence the bot says to members, in Dutch first and English second."""

from __future__ import annotations

import string
from typing import Any

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "welcome": (
            "Hoi {name}! Ik help je elke dag met water, wandelen, ademen en slaap: één tik is genoeg.\n"
            "We stellen alles in een minuut in; elke stap kun je overslaan, later aanpassen kan met /settings."
        ),
        "welcome_continue": "Hoi {name}! We gaan verder waar je was gebleven.",
        "welcome_back": "Welkom terug, {name}! Je instellingen staan nog. /today laat je dag zien, /settings past ze aan.",
        "help": (
            "Ik help je met vier dagelijkse gewoontes: water 💧, wandelen na het eten 🚶, "
            "ademen 🌬️ en slaap 🌙.\n\n"
            "Tik op de knoppen onder een herinnering, reageer er met 👍 op, of typ gewoon wat je deed:\n"
            "• klaar / gedaan / ✅\n• water / 2 glazen / +1\n• blokje om / 20 min gewandeld\n"
            "• 7,5 uur / slecht geslapen\n• straks / over 10 minuten\n• overslaan\n\n"
            "/today je dag · /settings tijden, gewoontes en taal · /pause even geen "
            "herinneringen · /resume weer aan\n"
            "/stats je reeksen · /week je week in beeld · /privacy je gegevens · /help deze uitleg\n"
            "Ze werken ook zonder /: 'vandaag', 'instellingen', 'stop' (pauzeren), 'hervat'.\n\n"
            "Ik geef leefstijltips, geen medisch advies."
        ),
        "not_understood": "Dat begreep ik niet helemaal. Typ bijvoorbeeld {forms}, of tik op een knop.",
        "not_understood_general": "Dat begreep ik niet helemaal. Typ bijvoorbeeld {forms}.",
        # What fits the open nudge, for "not understood", greetings and thanks; each form is understood.
        "forms_water": "'2 glazen', '+1' of 'water'",
        "forms_walk": "'klaar', 'straks' of 'overslaan'",
        "forms_breathing": "'klaar', 'straks' of 'overslaan'",
        "forms_sleep-winddown": "'klaar' of 'overslaan'",
        "forms_sleep-morning": "'7,5 uur', '7' of 'overslaan'",
        "forms_none": "'wandeling gedaan', '2 glazen' of '7,5 uur'",
        "greeted": "👋 Hoi! Je kunt gewoon typen, bijvoorbeeld {forms}.",
        "thanked": "Graag gedaan! 😊 Je kunt gewoon typen, bijvoorbeeld {forms}.",
        "acknowledged": "👍",
        "nothing_open": (
            "Er staat nu geen herinnering open. Typ bijvoorbeeld 'wandeling gedaan', "
            "'2 glazen' of '7,5 uur', of kijk bij /today."
        ),
        "needs_hours": "Hoeveel uur heb je geslapen? Tik hieronder of typ bijvoorbeeld '7,5 uur'.",
        "needs_hours_bad": "😕 Balen, zo'n nacht. Hoeveel uur heb je ongeveer geslapen? Tik hieronder of typ bijvoorbeeld '6 uur'.",
        "needs_hours_good": "😊 Fijn! Hoeveel uur heb je geslapen? Tik hieronder of typ bijvoorbeeld '7,5 uur'.",
        "water_counts_glasses": "💧 Water tel ik per glas, dus overslaan hoeft niet. Wel een glas gedronken? Tik op +1.",
        "water_counts_glasses_typed": "💧 Water tel ik per glas, dus overslaan hoeft niet. Wel een glas gedronken? Typ '+1'.",
        "not_snoozable": "Geen haast: deze herinnering blijft staan. Tik of typ je antwoord wanneer het jou uitkomt.",
        "no_meal_yet": "🚶 Lekker bezig! Een wandeling tel ik bij de maaltijd ervoor, en je eerste maaltijd van vandaag komt nog: deze telt dus niet mee.",
        "no_meal_yet_skip": "🚶 Een wandeling hoort bij de maaltijd ervoor, en je eerste maaltijd van vandaag komt nog: er is nog niets over te slaan.",
        "not_registered": "Stuur eerst /start, dan zet ik je herinneringen klaar.",
        "private_only": "Ik werk alleen in een privégesprek: stuur me daar /start.",
        "non_text": "Ik lees alleen tekst en knoppen. Typ bijvoorbeeld 'klaar' of '2 glazen'.",
        "unknown_command": "Die opdracht ken ik niet. /help laat zien wat ik kan.",
        "error_apology": "Sorry, er ging iets mis aan mijn kant. Probeer het zo nog eens.",
        "nudge_water": "💧 Tijd voor een glas water ({glasses}/{goal})",
        "nudge_walk": "🚶 Even wandelen na {meal}?",
        "walk_after_breakfast": "het ontbijt",
        "walk_after_lunch": "de lunch",
        "walk_after_dinner": "het avondeten",
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
        "answer_glass": "💧 Genoteerd: {glasses}/{goal} {goal:glas|glazen} vandaag.",
        "answer_glass_goal": "🎉 Doel gehaald: {glasses}/{goal} {goal:glas|glazen}! Vandaag geen waterherinneringen meer.",
        "answer_done": "✅ Gedaan. Goed bezig!",
        "answer_skipped": "⏭️ Overgeslagen. Geen punt, er komt een nieuw moment.",
        "answer_hours": "😴 {hours} uur geslapen, genoteerd.",
        "answer_snoozed": "⏰ Ik kom over {minutes} {minutes:minuut|minuten} terug.",
        "answer_snooze_limit": "Je hebt deze al twee keer uitgesteld. Gedaan of overslaan?",
        "answer_already": "Deze had je al beantwoord 👍",
        "answer_expired": "Deze herinnering is van een eerdere dag. /today laat je dag van vandaag zien.",
        "answer_unknown": "Deze knop werkt niet meer. /today laat je dag zien.",
        # Under a nudge answered by typing: the reply below says it in full, this marks the nudge.
        "mark_glasses": "💧 +{glasses}",
        "mark_done": "✅ Gedaan",
        "mark_skipped": "⏭️ Overgeslagen",
        "mark_hours": "😴 {hours} uur",
        "mark_snoozed": "⏰ Uitgesteld",
        "today_title": "📋 Vandaag ({day})",
        "today_water": "💧 Water: {glasses}/{goal} {goal:glas|glazen}",
        "today_walks": "🚶 Wandelen: {marks}",
        "today_breathing": "🌬️ Ademen: {mark}",
        "today_wind_down": "🌙 Afbouwen: {mark}",
        "today_sleep": "😴 Slaap: {hours} uur",
        "today_sleep_unknown": "😴 Slaap: nog niet ingevuld",
        "today_nothing": "Je hebt geen gewoontes aan staan. Zet ze aan via /settings.",
        # Onboarding and settings
        "screen_language": "🌐 Welke taal wil je?",
        "language_nl": "🇳🇱 Nederlands",
        "language_en": "🇬🇧 English",
        "button_all_defaults": "⏭️ Alles standaard laten",
        "screen_timezone": "🕒 Je tijdzone is nu {zone} (daar is het {local}).\nTik een andere, deel je locatie, of typ je stad of een zone (bijv. Tokyo of Asia/Tokyo).",
        "button_share_location": "📍 Locatie delen",
        "button_send_location": "📍 Deel mijn locatie",
        "location_prompt": "Tik hieronder op 📍 om je locatie te delen. Ik gebruik die alleen voor je tijdzone en bewaar hem niet.",
        "timezone_set": "🕒 Tijdzone: {zone} (daar is het nu {local}).",
        "timezone_invalid": "Die tijdzone of stad ken ik niet. Typ bijvoorbeeld Amsterdam, Tokyo of Europe/London, of tik een knop.",
        "location_unknown": "Bij die locatie vond ik geen tijdzone. Probeer het nog eens, of typ je stad.",
        "screen_habits": "✅ Bij welke gewoontes wil je een duwtje? Tik om aan of uit te zetten.",
        "habit_water": "Water",
        "habit_walk": "Wandelen",
        "habit_breathing": "Ademen",
        "habit_sleep": "Slaap",
        "habits_none": "geen",
        "screen_sleep": "⏰ Opstaan: {wake} · 🌙 Bedtijd: {bedtime}\nTik een tijd, of typ je eigen tijd (bijv. 6:45 of 0:30).",
        "screen_meals": "🍳 Ontbijt: {breakfast} · 🥪 Lunch: {lunch} · 🍽️ Avondeten: {dinner}\nNa elke maaltijd stel ik een korte wandeling voor. Tik een tijd of typ je eigen tijd(en), bijv. 7:30 12:30 18:00.",
        "button_default_meals": "↩️ Standaardtijden ({breakfast} · {lunch} · {dinner})",
        "screen_breathing": "🌬️ Ademoefening om {time}. Tik een tijd of typ je eigen tijd.",
        "screen_water": "💧 Doel: {goal} {goal:glas|glazen} per dag, een herinnering {every}.",
        "screen_snooze": "💤 Uitstellen duurt nu {minutes} {minutes:minuut|minuten}.",
        "screen_quiet": "🤫 Stille uren: {quiet}. Dan stuur ik niets.\nTik een keuze of typ zelf twee tijden, bijv. 22:00-07:30.",
        "quiet_auto": "🌙 Volgt mijn bedtijd",
        "quiet_off": "🔔 Geen stille uren",
        "quiet_none": "geen",
        "quiet_auto_span": "{span} (volgt je bedtijd)",
        "quiet_invalid": "Typ de stille uren als twee tijden, bijvoorbeeld 22:30-07:00.",
        "minutes": "{minutes} min",
        "hours_short": "{hours} uur",
        "every_hours": "elke {hours} uur",
        "every_hour": "elk uur",
        "setting_wake_time": "Opstaan",
        "setting_bedtime": "Bedtijd",
        "setting_breakfast_time": "Ontbijt",
        "setting_lunch_time": "Lunch",
        "setting_dinner_time": "Avondeten",
        "setting_breathing_time": "Ademen",
        "which_time": "Waar hoort {time} bij?",
        "time_invalid": "Dat is geen tijd die ik ken. Typ bijvoorbeeld 7:30, 07.30, 7u30 of 19:30. Er is niets veranderd.",
        "times_same_invalid": "Opstaan en bedtijd kunnen niet hetzelfde zijn. Er is niets veranderd.",
        "times_count_sleep": "Typ één tijd, of twee: opstaan en bedtijd (bijv. 7:00 23:30).",
        "times_count_meals": "Typ één tijd, of drie: ontbijt, lunch en avondeten (bijv. 7:30 12:30 18:00).",
        "times_count_breathing": "Typ één tijd, bijvoorbeeld 16:00.",
        "button_next": "Verder ➡️",
        "button_previous": "⬅️ Terug",
        "button_start": "🚀 Start",
        "button_back_to_menu": "⬅️ Terug naar het menu",
        "button_close": "✖️ Sluiten",
        "summary_title": "📋 Zo staat het:",
        "summary_hint": "Klopt het? Tik op Start. Later aanpassen kan altijd met /settings.",
        "summary_done": "🚀 Je bent begonnen!",
        "ready_today": "Alles staat klaar. Je eerste herinnering komt vandaag om {time}.\n/today je dag · /settings aanpassen · /pause even pauzeren",
        "ready_later": "Alles staat klaar. Je eerste herinnering komt morgen om {time}.\n/today je dag · /settings aanpassen · /pause even pauzeren",
        "ready_no_habits": "Alles staat klaar, maar je hebt geen gewoontes aan staan. Zet ze aan via /settings.",
        "already_set_up": "Je bent al begonnen; aanpassen kan met /settings.",
        "finish_onboarding_first": "Maak eerst het instellen af (of tik op Verder), dan kan het hier.",
        "settings_title": "⚙️ Instellingen",
        "settings_closed": "⚙️ Instellingen opgeslagen. /settings opent ze weer.",
        "saved": "✅ Opgeslagen",
        "overview": "🌐 {language_name} · 🕒 {zone}\n✅ Gewoontes: {habits}\n⏰ Opstaan {wake} · 🌙 Bedtijd {bedtime}\n🍽️ Maaltijden {breakfast} · {lunch} · {dinner}\n🌬️ Ademen {breathing}\n💧 {goal} {goal:glas|glazen}, {every}\n💤 Uitstellen {snooze} min · 🤫 Stil {quiet}",
        "menu_language": "🌐 Taal",
        "menu_timezone": "🕒 Tijdzone",
        "menu_habits": "✅ Gewoontes",
        "menu_water": "💧 Water",
        "menu_sleep": "⏰ Opstaan & bedtijd",
        "menu_meals": "🍽️ Maaltijden",
        "menu_breathing": "🌬️ Ademen",
        "menu_snooze": "💤 Uitstellen",
        "menu_quiet": "🤫 Stille uren",
        "menu_progress": "📊 Weekoverzicht",
        "screen_progress": "📊 Weekoverzicht: {weekly}.\n🚶 Je wandelreeks telt een dag als: {walk_rule}.",
        "weekly_on": "elke {day} om {time}",
        "weekly_off": "uit",
        "button_weekly_on": "🔔 Weekoverzicht aan",
        "button_weekly_off": "🔕 Weekoverzicht uit",
        "walk_rule_one": "1 wandeling",
        "walk_rule_all": "na elke maaltijd",
        # Pause
        "pause_question": "⏸️ Hoe lang wil je geen herinneringen? Gepauzeerde dagen tellen niet mee en breken je reeks niet.",
        "pause_change": "Andere lengte kiezen of meteen verder:",
        "pause_1d": "1 dag",
        "pause_3d": "3 dagen",
        "pause_7d": "1 week",
        "pause_open": "Tot ik verder ga",
        "button_resume": "▶️ Nu verder",
        "paused_until": "⏸️ Gepauzeerd tot {until}. Met /resume ga je eerder verder.",
        "paused_open": "⏸️ Gepauzeerd tot je /resume stuurt.",
        "today_paused_until": "⏸️ Gepauzeerd tot {until}: tot dan geen herinneringen.",
        "today_paused_open": "⏸️ Gepauzeerd tot je verder gaat: geen herinneringen.",
        "resumed": "▶️ Je bent terug! De herinneringen staan weer aan.",
        "not_paused": "Je was niet gepauzeerd; de herinneringen staan aan. /pause pauzeert ze.",
        # Progress and privacy
        "stats_title": "📊 Je voortgang",
        "stats_explain": "Reeks: dagen op rij gehaald. Overslaan en pauze breken je reeks niet.",
        "stats_habit": "{icon} {name}: reeks {current} {current:dag|dagen} · beste {best} {best:dag|dagen} · deze week {week}/7",
        "stats_water_week": "💧 Deze week {glasses} {glasses:glas|glazen} water",
        "stats_sleep_week": "😴 Deze week gemiddeld {hours} uur slaap ({nights} {nights:nacht|nachten})",
        "stats_sleep_none": "😴 Deze week nog geen slaapuren ingevuld",
        "week_caption_great": "📊 Je week: {done} van de {counted} {counted:gewoontedag|gewoontedagen} gehaald. Knap gedaan! 🎉",
        "week_caption_good": "📊 Je week: {done} van de {counted} {counted:gewoontedag|gewoontedagen} gehaald. Goed bezig! 💪",
        "week_caption_start": "📊 Je week: {done} van de {counted} {counted:gewoontedag|gewoontedagen} gehaald. Elke dag is een nieuwe kans 🌱",
        "week_caption_empty": "📊 Je week in beeld. Tik op de herinneringen, dan vult hij zich vanzelf 🌱",
        "week_caption_paused": "⏸️ Deze week was je gepauzeerd: niets gemist, je reeksen blijven staan.",
        "week_tip": "💡 Tip voor de komende week: {tip}",
        "chart_title": "Jouw week",
        "chart_legend_done": "gedaan",
        "chart_legend_skipped": "overgeslagen",
        "chart_legend_missed": "gemist",
        "chart_legend_paused": "pauze",
        "chart_legend_open": "nog open",
        "chart_legend_not_tracked": "eerste dag",
        "chart_legend_before_joining": "vóór je begon",
        "chart_water_title": "Water (glazen)",
        "chart_sleep_title": "Slaap (uren)",
        "chart_no_habits": "Geen gewoontes aan",
        "privacy": "🔒 Privacy\nWat ik bewaar: je Telegram-id, voornaam, taal, tijdzone, je tijden en instellingen, je check-ins (wat, welke dag, hoeveel) en welke herinneringen ik stuurde, zodat je er nooit twee krijgt.\nWaarom: alleen om je op het goede moment te herinneren en je voortgang te laten zien. Ik deel niets met anderen en toon geen advertenties.\nDe tekst van je berichten bewaar ik niet, alleen wat ik eruit haal (zoals '2 glazen').\nHoe lang: zolang je de bot gebruikt. /export stuurt je al je gegevens als bestand, /delete wist alles meteen en voorgoed.",
        "no_data": "Ik heb geen gegevens van je opgeslagen.",
        "export_intro": "📦 Je gegevens: je check-ins (CSV, opent in elke spreadsheet) en je instellingen (JSON).",
        "export_checkins_caption": "{count} {count:check-in|check-ins}",
        "export_settings_caption": "Instellingen, pauzes en weekoverzichten",
        "delete_confirm": "⚠️ Weet je het zeker? Ik wis je instellingen, al je check-ins, herinneringen, pauzes en statistieken. Dit kan niet ongedaan worden gemaakt.",
        "button_delete_confirm": "🗑️ Ja, wis alles",
        "button_delete_cancel": "↩️ Nee, laat staan",
        "delete_done": "✅ Alles is gewist. Je krijgt geen berichten meer van me. Wil je later opnieuw beginnen? Stuur /start.",
        "delete_cancelled": "👍 Niets gewist, alles blijft zoals het was.",
        "delete_expired": "Deze knop is verlopen. Stuur /delete opnieuw als je alles wilt wissen.",
    },
    "en": {
        "welcome": (
            "Hi {name}! I'll nudge you daily for water, walking, breathing and sleep: one tap answers.\n"
            "Let's set things up in a minute; skip any step, and change it later with /settings."
        ),
        "welcome_continue": "Hi {name}! Let's carry on where you left off.",
        "welcome_back": "Welcome back, {name}! Your settings are still here. /today shows your day, /settings changes them.",
        "help": (
            "I help you with four daily habits: water 💧, a walk after meals 🚶, "
            "breathing 🌬️ and sleep 🌙.\n\n"
            "Tap the buttons under a reminder, react to it with 👍, or just type what you did:\n"
            "• done / ✅\n• water / 2 glasses / +1\n• went for a walk / walked 20 min\n"
            "• slept 7.5h / slept badly\n• later / in 10 min\n• skip\n\n"
            "/today your day · /settings times, habits and language · /pause no reminders "
            "for a while · /resume back on\n"
            "/stats your streaks · /week your week at a glance · /privacy your data · /help this text\n"
            "They work without the / too: 'today', 'settings', 'stop' (pause), 'resume'.\n\n"
            "I give lifestyle tips, not medical advice."
        ),
        "not_understood": "I didn't quite get that. Type e.g. {forms}, or tap a button.",
        "not_understood_general": "I didn't quite get that. Type e.g. {forms}.",
        "forms_water": "'2 glasses', '+1' or 'water'",
        "forms_walk": "'done', 'later' or 'skip'",
        "forms_breathing": "'done', 'later' or 'skip'",
        "forms_sleep-winddown": "'done' or 'skip'",
        "forms_sleep-morning": "'7.5h', '7' or 'skip'",
        "forms_none": "'walk done', '2 glasses' or 'slept 7.5h'",
        "greeted": "👋 Hi! You can just type, e.g. {forms}.",
        "thanked": "You're welcome! 😊 You can just type, e.g. {forms}.",
        "acknowledged": "👍",
        "nothing_open": (
            "There is no open reminder right now. Type for example 'walk done', "
            "'2 glasses' or 'slept 7.5h', or see /today."
        ),
        "needs_hours": "How many hours did you sleep? Tap below or type e.g. '7.5h'.",
        "needs_hours_bad": "😕 Sorry about the rough night. About how many hours did you sleep? Tap below or type e.g. '6h'.",
        "needs_hours_good": "😊 Glad to hear it! How many hours did you sleep? Tap below or type e.g. '7.5h'.",
        "water_counts_glasses": "💧 Water counts by the glass, so there's nothing to skip. Had one? Tap +1.",
        "water_counts_glasses_typed": "💧 Water counts by the glass, so there's nothing to skip. Had one? Type '+1'.",
        "not_snoozable": "No rush: this reminder stays open. Tap or type your answer whenever it suits you.",
        "no_meal_yet": "🚶 Nice! I count a walk for the meal before it, and today's first meal is still to come, so this one doesn't count.",
        "no_meal_yet_skip": "🚶 A walk goes with the meal before it, and today's first meal is still to come: nothing to skip yet.",
        "not_registered": "Send /start first and I'll set up your reminders.",
        "private_only": "I only work in a private chat: send me /start there.",
        "non_text": "I only read text and buttons. Type for example 'done' or '2 glasses'.",
        "unknown_command": "I don't know that command. /help shows what I can do.",
        "error_apology": "Sorry, something went wrong on my side. Please try again in a moment.",
        "nudge_water": "💧 Time for a glass of water ({glasses}/{goal})",
        "nudge_walk": "🚶 A short walk after {meal}?",
        "walk_after_breakfast": "breakfast",
        "walk_after_lunch": "lunch",
        "walk_after_dinner": "dinner",
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
        "answer_glass": "💧 Noted: {glasses}/{goal} {goal:glass|glasses} today.",
        "answer_glass_goal": "🎉 Goal reached: {glasses}/{goal} {goal:glass|glasses}! No more water reminders today.",
        "answer_done": "✅ Done. Nice work!",
        "answer_skipped": "⏭️ Skipped. No problem, there will be another moment.",
        "answer_hours": "😴 {hours} {hours:hour|hours} of sleep, noted.",
        "answer_snoozed": "⏰ I'll be back in {minutes} {minutes:minute|minutes}.",
        "answer_snooze_limit": "You've put this off twice already. Done or skip?",
        "answer_already": "You already answered this one 👍",
        "answer_expired": "This reminder is from an earlier day. /today shows today.",
        "answer_unknown": "This button no longer works. /today shows your day.",
        "mark_glasses": "💧 +{glasses}",
        "mark_done": "✅ Done",
        "mark_skipped": "⏭️ Skipped",
        "mark_hours": "😴 {hours} h",
        "mark_snoozed": "⏰ Snoozed",
        "today_title": "📋 Today ({day})",
        "today_water": "💧 Water: {glasses}/{goal} {goal:glass|glasses}",
        "today_walks": "🚶 Walks: {marks}",
        "today_breathing": "🌬️ Breathing: {mark}",
        "today_wind_down": "🌙 Wind-down: {mark}",
        "today_sleep": "😴 Sleep: {hours} h",
        "today_sleep_unknown": "😴 Sleep: not filled in yet",
        "today_nothing": "You have no habits switched on. Switch them on in /settings.",
        # Onboarding and settings
        "screen_language": "🌐 Which language would you like?",
        "language_nl": "🇳🇱 Nederlands",
        "language_en": "🇬🇧 English",
        "button_all_defaults": "⏭️ Keep all defaults",
        "screen_timezone": "🕒 Your time zone is {zone} (it's {local} there).\nTap another one, share your location, or type your city or a zone (e.g. Tokyo or Asia/Tokyo).",
        "button_share_location": "📍 Share location",
        "button_send_location": "📍 Share my location",
        "location_prompt": "Tap 📍 below to share your location. I only use it for your time zone and don't keep it.",
        "timezone_set": "🕒 Time zone: {zone} (it's {local} there now).",
        "timezone_invalid": "I don't know that time zone or city. Type e.g. Amsterdam, Tokyo or Europe/London, or tap a button.",
        "location_unknown": "I found no time zone at that location. Try again, or type your city.",
        "screen_habits": "✅ Which habits would you like a nudge for? Tap to switch on or off.",
        "habit_water": "Water",
        "habit_walk": "Walking",
        "habit_breathing": "Breathing",
        "habit_sleep": "Sleep",
        "habits_none": "none",
        "screen_sleep": "⏰ Wake-up: {wake} · 🌙 Bedtime: {bedtime}\nTap a time, or type your own (e.g. 6:45 or 0:30).",
        "screen_meals": "🍳 Breakfast: {breakfast} · 🥪 Lunch: {lunch} · 🍽️ Dinner: {dinner}\nAfter each meal I suggest a short walk. Tap a time or type your own time(s), e.g. 7:30 12:30 18:00.",
        "button_default_meals": "↩️ Default times ({breakfast} · {lunch} · {dinner})",
        "screen_breathing": "🌬️ Breathing exercise at {time}. Tap a time or type your own.",
        "screen_water": "💧 Goal: {goal} {goal:glass|glasses} a day, a reminder {every}.",
        "screen_snooze": "💤 Snooze currently lasts {minutes} {minutes:minute|minutes}.",
        "screen_quiet": "🤫 Quiet hours: {quiet}. I send nothing then.\nTap a choice or type two times, e.g. 22:00-07:30.",
        "quiet_auto": "🌙 Follow my bedtime",
        "quiet_off": "🔔 No quiet hours",
        "quiet_none": "none",
        "quiet_auto_span": "{span} (follows your bedtime)",
        "quiet_invalid": "Type the quiet hours as two times, e.g. 22:30-07:00.",
        "minutes": "{minutes} min",
        "hours_short": "{hours} h",
        "every_hours": "every {hours} hours",
        "every_hour": "every hour",
        "setting_wake_time": "Wake-up",
        "setting_bedtime": "Bedtime",
        "setting_breakfast_time": "Breakfast",
        "setting_lunch_time": "Lunch",
        "setting_dinner_time": "Dinner",
        "setting_breathing_time": "Breathing",
        "which_time": "What is {time} for?",
        "time_invalid": "That's not a time I know. Type e.g. 7:30, 07.30 or 19:30. Nothing was changed.",
        "times_same_invalid": "Wake-up and bedtime can't be the same. Nothing was changed.",
        "times_count_sleep": "Type one time, or two: wake-up and bedtime (e.g. 7:00 23:30).",
        "times_count_meals": "Type one time, or three: breakfast, lunch and dinner (e.g. 7:30 12:30 18:00).",
        "times_count_breathing": "Type one time, e.g. 16:00.",
        "button_next": "Next ➡️",
        "button_previous": "⬅️ Back",
        "button_start": "🚀 Start",
        "button_back_to_menu": "⬅️ Back to the menu",
        "button_close": "✖️ Close",
        "summary_title": "📋 Here's your setup:",
        "summary_hint": "All good? Tap Start. You can change anything later with /settings.",
        "summary_done": "🚀 You're all set!",
        "ready_today": "Everything is ready. Your first reminder comes today at {time}.\n/today your day · /settings change · /pause take a break",
        "ready_later": "Everything is ready. Your first reminder comes tomorrow at {time}.\n/today your day · /settings change · /pause take a break",
        "ready_no_habits": "Everything is ready, but no habits are switched on. Switch them on in /settings.",
        "already_set_up": "You're already set up; use /settings to change things.",
        "finish_onboarding_first": "Finish the setup first (or tap Next), then you can change it here.",
        "settings_title": "⚙️ Settings",
        "settings_closed": "⚙️ Settings saved. /settings opens them again.",
        "saved": "✅ Saved",
        "overview": "🌐 {language_name} · 🕒 {zone}\n✅ Habits: {habits}\n⏰ Wake-up {wake} · 🌙 Bedtime {bedtime}\n🍽️ Meals {breakfast} · {lunch} · {dinner}\n🌬️ Breathing {breathing}\n💧 {goal} {goal:glass|glasses}, {every}\n💤 Snooze {snooze} min · 🤫 Quiet {quiet}",
        "menu_language": "🌐 Language",
        "menu_timezone": "🕒 Time zone",
        "menu_habits": "✅ Habits",
        "menu_water": "💧 Water",
        "menu_sleep": "⏰ Wake-up & bedtime",
        "menu_meals": "🍽️ Meals",
        "menu_breathing": "🌬️ Breathing",
        "menu_snooze": "💤 Snooze",
        "menu_quiet": "🤫 Quiet hours",
        "menu_progress": "📊 Weekly picture",
        "screen_progress": "📊 Weekly picture: {weekly}.\n🚶 Your walk streak counts a day with: {walk_rule}.",
        "weekly_on": "every {day} at {time}",
        "weekly_off": "off",
        "button_weekly_on": "🔔 Weekly picture on",
        "button_weekly_off": "🔕 Weekly picture off",
        "walk_rule_one": "1 walk",
        "walk_rule_all": "a walk after every meal",
        # Pause
        "pause_question": "⏸️ How long would you like no reminders? Paused days don't count and don't break your streak.",
        "pause_change": "Choose another length or carry on now:",
        "pause_1d": "1 day",
        "pause_3d": "3 days",
        "pause_7d": "1 week",
        "pause_open": "Until I resume",
        "button_resume": "▶️ Resume now",
        "paused_until": "⏸️ Paused until {until}. Send /resume to come back earlier.",
        "paused_open": "⏸️ Paused until you send /resume.",
        "today_paused_until": "⏸️ Paused until {until}: no reminders till then.",
        "today_paused_open": "⏸️ Paused until you resume: no reminders.",
        "resumed": "▶️ You're back! Reminders are on again.",
        "not_paused": "You weren't paused; reminders are on. /pause pauses them.",
        # Progress and privacy
        "stats_title": "📊 Your progress",
        "stats_explain": "Streak: days in a row. Skips and pauses don't break your streak.",
        "stats_habit": "{icon} {name}: streak {current} {current:day|days} · best {best} {best:day|days} · this week {week}/7",
        "stats_water_week": "💧 {glasses} {glasses:glass|glasses} of water this week",
        "stats_sleep_week": "😴 {hours} {hours:hour|hours} of sleep on average this week ({nights} {nights:night|nights})",
        "stats_sleep_none": "😴 No hours of sleep filled in this week yet",
        "week_caption_great": "📊 Your week: {done} of {counted} habit {counted:day|days} done. Well done! 🎉",
        "week_caption_good": "📊 Your week: {done} of {counted} habit {counted:day|days} done. Nice going! 💪",
        "week_caption_start": "📊 Your week: {done} of {counted} habit {counted:day|days} done. Every day is a fresh chance 🌱",
        "week_caption_empty": "📊 Your week at a glance. Tap the reminders and it fills up by itself 🌱",
        "week_caption_paused": "⏸️ You were paused this week: nothing missed, your streaks stay as they were.",
        "week_tip": "💡 Tip for the coming week: {tip}",
        "chart_title": "Your week",
        "chart_legend_done": "done",
        "chart_legend_skipped": "skipped",
        "chart_legend_missed": "missed",
        "chart_legend_paused": "paused",
        "chart_legend_open": "still open",
        "chart_legend_not_tracked": "first day",
        "chart_legend_before_joining": "before you joined",
        "chart_water_title": "Water (glasses)",
        "chart_sleep_title": "Sleep (hours)",
        "chart_no_habits": "No habits switched on",
        "privacy": "🔒 Privacy\nWhat I store: your Telegram id, first name, language, time zone, your times and settings, your check-ins (what, which day, how much) and which reminders I sent, so you never get one twice.\nWhy: only to remind you at the right moment and to show your progress. I share nothing with anyone and show no ads.\nI don't keep the text of your messages, only what I read from them (like '2 glasses').\nHow long: as long as you use the bot. /export sends you all your data as files, /delete erases everything at once and for good.",
        "no_data": "I have no data of yours stored.",
        "export_intro": "📦 Your data: your check-ins (CSV, opens in any spreadsheet) and your settings (JSON).",
        "export_checkins_caption": "{count} {count:check-in|check-ins}",
        "export_settings_caption": "Settings, pauses and weekly reports",
        "delete_confirm": "⚠️ Are you sure? I'll erase your settings, all your check-ins, reminders, pauses and statistics. This cannot be undone.",
        "button_delete_confirm": "🗑️ Yes, erase everything",
        "button_delete_cancel": "↩️ No, keep it",
        "delete_done": "✅ Everything is erased. You won't get any more messages from me. Want to start again later? Send /start.",
        "delete_cancelled": "👍 Nothing erased, everything stays as it was.",
        "delete_expired": "This button has expired. Send /delete again if you want to erase everything.",
    },
}


def is_singular(number: int | float | str) -> bool:
    """Whether a number as shown takes the singular: "1 glas", "1 night", but "0 glazen", "1,5 uur".

    Dutch and English share CLDR's rule: singular ("one") only for exactly 1 without visible
    decimals. So it is decided on the number as the member sees it: "1" and 1 are singular; "1,0",
    "1.5" and "-2" are not (minus one is, as in CLDR, but no text shows one).
    """
    if isinstance(number, float):
        number = f"{number:g}"
    return str(number).removeprefix("-") == "1"


class _PluralFormatter(string.Formatter):
    """`{nights:nacht|nachten}` is the word for the number in `nights`: the singular or the plural."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            singular, plural = format_spec.split("|")
            return singular if is_singular(value) else plural
        return str(super().format_field(value, format_spec))


_PLURALS = _PluralFormatter()
# Only these go through the (slower, pure Python) formatter; nudges are sent by the hundred thousand.
_WITH_PLURALS = frozenset(
    (language, key) for language, table in TEXTS.items() for key, sentence in table.items() if "|" in sentence
)


def text(language: str, key: str, **values: Any) -> str:
    """The sentence `key` in `language` (Dutch when the language is unknown), filled in.

    A number's noun is written `{count:singular|plural}`: "{nights} {nights:nacht|nachten}".
    """
    if language not in TEXTS or key not in TEXTS[language]:
        language = "nl"
    sentence = TEXTS[language][key]
    if (language, key) in _WITH_PLURALS:
        return _PLURALS.format(sentence, **values)
    return sentence.format(**values)


def format_number(language: str, number: float) -> str:
    """7.5 -> "7,5" in Dutch and "7.5" in English; whole numbers without decimals."""
    shown = f"{number:g}" if number != int(number) else str(int(number))
    return shown.replace(".", ",") if language == "nl" else shown


def format_hours(language: str, hours: float) -> str:
    """7.5 -> "7,5" in Dutch and "7.5" in English; whole hours without decimals."""
    return format_number(language, hours)
