"""The check-in language on messages as members really type them, and its properties.

The table is written from the member's side: what someone means by a message, with the typos,
casing, emoji and punctuation of a phone keyboard. ``None`` (NOTHING) means nothing is understood
and nothing is stored; several other kinds are understood but never stored either (a sleep
quality, a snooze, a command, a greeting): see ``ParsedCheckIn.may_store``.
"""

from __future__ import annotations

import datetime
import math
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from habits.onboarding import parse_times
from habits.parsing import (
    MAX_GLASSES,
    MAX_NUMBER,
    MAX_SLEEP_HOURS,
    MAX_SNOOZE_MINUTES,
    MIN_GLASSES,
    CheckInKind,
    Command,
    ParsedCheckIn,
    SleepQuality,
    parse_checkin,
    parse_time_of_day,
)
from habits.words import LEXICON, PHRASES, Role, lookup
from storage.kinds import Habit

WALK, BREATHING, SLEEP, WATER = Habit.WALK, Habit.BREATHING, Habit.SLEEP, Habit.WATER
NOTHING = None


def water(glasses: int) -> ParsedCheckIn:
    return ParsedCheckIn(CheckInKind.WATER, value=glasses)


def sleep(hours: float) -> ParsedCheckIn:
    return ParsedCheckIn(CheckInKind.SLEEP, value=hours)


def done(habit: Habit | None = None) -> ParsedCheckIn:
    return ParsedCheckIn(CheckInKind.DONE, habit=habit)


def skip(habit: Habit | None = None) -> ParsedCheckIn:
    return ParsedCheckIn(CheckInKind.SKIP, habit=habit)


def number(value: float) -> ParsedCheckIn:
    return ParsedCheckIn(CheckInKind.NUMBER, value=value)


def slept(quality: SleepQuality | None) -> ParsedCheckIn:
    return ParsedCheckIn(CheckInKind.SLEEP_QUALITY, habit=SLEEP, quality=quality)


def snooze(minutes: int | None = None) -> ParsedCheckIn:
    return ParsedCheckIn(CheckInKind.SNOOZE, value=minutes)


def command(which: Command) -> ParsedCheckIn:
    return ParsedCheckIn(CheckInKind.COMMAND, command=which)


OK = ParsedCheckIn(CheckInKind.WEAK_DONE)
HI = ParsedCheckIn(CheckInKind.GREETING)
THANKS = ParsedCheckIn(CheckInKind.THANKS)
GOOD, BAD = SleepQuality.GOOD, SleepQuality.BAD

MESSAGES: list[tuple[str, ParsedCheckIn | None]] = [
    # --- water -----------------------------------------------------------------------------------
    ("glas water gedronken", water(1)),
    ("Glas water gedronken!", water(1)),
    ("water", water(1)),
    ("Water 💧", water(1)),
    ("WATER GEDRONKEN", water(1)),
    ("water gedronken", water(1)),
    ("gedronken", water(1)),
    ("water gehad", water(1)),
    ("2 glazen", water(2)),
    ("2 glazen water", water(2)),
    ("twee glazen water gedronken", water(2)),
    ("net 2 glaasjes water gedronken", water(2)),
    ("Ik heb net een glas water gedronken", water(1)),
    ("ik heb 2 glazen water gedronken hoor", water(2)),
    ("nog een glas", water(1)),
    ("Nog een glaasje 😊", water(1)),
    ("weer een glas water op", water(1)),
    ("Zojuist 3 glazen", water(3)),
    ("3 glazen water gedronken vanmiddag", water(3)),
    ("2 glazen water na de lunch", water(2)),
    ("twaalf glazen", water(12)),
    ("1,5 glas", water(2)),
    ("een glas of 3", water(3)),
    ("+1", water(1)),
    ("+2", water(2)),
    ("+1 💧", water(1)),
    ("💧", water(1)),
    ("💧💧💧", water(3)),
    ("1 glas", water(1)),
    ("een glaasje water", water(1)),
    ("glaasje water", water(1)),
    ("Een beker water", water(1)),
    ("mok water", water(1)),
    ("500 ml", water(2)),
    ("500ml water gedronken", water(2)),
    ("0,5 liter water", water(2)),
    ("halve liter water", water(2)),
    ("een halve liter water gedronken", water(2)),
    ("anderhalve liter water", water(6)),
    ("1,5 liter", water(6)),
    ("1.5L water", water(6)),
    ("ongeveer 2 liter water gedronken", water(8)),
    ("bijna een liter", water(4)),
    ("ruim een liter water", water(4)),
    ("zo'n 750 ml", water(3)),
    ("33 cl water", water(1)),
    ("25cl", water(1)),
    ("2 dl water", water(1)),
    ("1 liter", water(4)),
    ("3 liter!", water(12)),
    ("2x water", water(2)),
    ("3 keer water gedronken", water(3)),
    ("water x2", water(2)),
    ("water +1", water(1)),
    ("Water: 2 glazen", water(2)),
    ("2 water", water(2)),
    ("glass of water", water(1)),
    ("had a glass of water", water(1)),
    ("just had 2 glasses of water", water(2)),
    ("Drank 3 glasses", water(3)),
    ("drank water", water(1)),
    ("I drank a glass of water", water(1)),
    ("another glass", water(1)),
    ("one more glass of water 💧", water(1)),
    ("two glasses", water(2)),
    ("2 more glasses", water(2)),
    ("2 extra glazen water", water(2)),
    ("500 ml of water", water(2)),
    ("half a liter of water", water(2)),
    ("about a litre of water", water(4)),
    ("watr gedronken", water(1)),
    ("glas water gedronkn", water(1)),
    ("2 galzen water", water(2)),
    ("water ✅", done(WATER)),
    ("Water gedaan", done(WATER)),
    ("glas water gedronken 👍", water(1)),
    ("Glaasje water op", water(1)),
    ("weer 2 glazen erbij", water(2)),
    ("alweer een glas water", water(1)),
    ("ik dronk een glas water", water(1)),
    ("glas water genomen", water(1)),
    ("2L", water(8)),
    # --- walk ------------------------------------------------------------------------------------
    ("wandeling gedaan", done(WALK)),
    ("Wandeling gedaan!", done(WALK)),
    ("gewandeld", done(WALK)),
    ("net gewandeld", done(WALK)),
    ("Net even gewandeld 🚶‍♀️", done(WALK)),
    ("ik heb gewandeld", done(WALK)),
    ("ommetje gemaakt", done(WALK)),
    ("ommetje", done(WALK)),
    ("Blokje om gedaan", done(WALK)),
    ("blokje om", done(WALK)),
    ("even een blokje om geweest", done(WALK)),
    ("rondje gelopen", done(WALK)),
    ("Rondje door het park gelopen", done(WALK)),
    ("lekker rondje gelopen met de hond", done(WALK)),
    ("rondje gelopen met mijn buurvrouw langs de gracht", done(WALK)),
    ("hond uitgelaten", done(WALK)),
    ("de hond uitgelaten", done(WALK)),
    ("20 min gewandeld", done(WALK)),
    ("half uur gewandeld", done(WALK)),
    ("een half uurtje gelopen", done(WALK)),
    ("kwartiertje gelopen na het eten", done(WALK)),
    ("5 km gelopen", done(WALK)),
    ("10000 stappen", done(WALK)),
    ("wandeling na de lunch ✅", done(WALK)),
    ("ben net terug van een wandeling", done(WALK)),
    ("ik ben wandelen geweest", done(WALK)),
    ("wandelen gedaan", done(WALK)),
    ("Klaar met wandelen", done(WALK)),
    ("wandeling 👍", done(WALK)),
    ("loopje gedaan", done(WALK)),
    ("2x gewandeld vandaag", done(WALK)),
    ("nog een ommetje gedaan", done(WALK)),
    ("wandelign gedaan", done(WALK)),
    ("wandeling gedaam", done(WALK)),
    ("gewandelt", done(WALK)),
    ("gewandld", done(WALK)),
    ("walk done", done(WALK)),
    ("walked", done(WALK)),
    ("Walked 30 min", done(WALK)),
    ("went for a walk", done(WALK)),
    ("I went for a walk after dinner", done(WALK)),
    ("took a short walk", done(WALK)),
    ("just walked the dog", done(WALK)),
    ("had a nice walk", done(WALK)),
    ("I've walked", done(WALK)),
    ("walk ✔️", done(WALK)),
    ("ommetje met de hond", done(WALK)),
    ("na het eten een rondje gelopen", done(WALK)),
    ("uurtje gewandeld", done(WALK)),
    ("wandeling van een half uur", done(WALK)),
    ("short walk done", done(WALK)),
    ("already walked", done(WALK)),
    ("met mijn man gewandeld", done(WALK)),
    ("we hebben gewandeld", done(WALK)),
    ("wandeling over de dijk gedaan", done(WALK)),
    ("naar de winkel gelopen", done(WALK)),
    ("walked to the shop", done(WALK)),
    # --- breathing -------------------------------------------------------------------------------
    ("ademhaling gedaan", done(BREATHING)),
    ("ademoefening gedaan", done(BREATHING)),
    ("ademoefening", done(BREATHING)),
    ("Ademhalingsoefening klaar ✅", done(BREATHING)),
    ("geademd", done(BREATHING)),
    ("even geademd", done(BREATHING)),
    ("5 min ademhaling", done(BREATHING)),
    ("10 minuten ademen gedaan", done(BREATHING)),
    ("ademen gedaan", done(BREATHING)),
    ("ademhaling ✅", done(BREATHING)),
    ("ademhalign gedaan", done(BREATHING)),
    ("adem oefening gedaan", done(BREATHING)),
    ("ademhaling", done(BREATHING)),
    ("breathing done", done(BREATHING)),
    ("breathing exercise done 🧘", done(BREATHING)),
    ("did my breathing", done(BREATHING)),
    ("breathed", done(BREATHING)),
    ("I did the breathing exercise", done(BREATHING)),
    ("breathwork done", done(BREATHING)),
    ("5x diep ademgehaald", done(BREATHING)),
    ("even rustig geademd", done(BREATHING)),
    # --- sleep: hours ----------------------------------------------------------------------------
    ("7 uur", sleep(7)),
    ("7,5 uur", sleep(7.5)),
    ("8u", sleep(8)),
    ("7 uur geslapen", sleep(7)),
    ("ik heb 7 uur geslapen", sleep(7)),
    ("Maar 5 uur geslapen 😴", sleep(5)),
    ("ruim 8 uur geslapen", sleep(8)),
    ("bijna 7 uur", sleep(7)),
    ("ongeveer 6 uur", sleep(6)),
    ("6,5 uur", sleep(6.5)),
    ("zes uur", sleep(6)),
    ("zeven en een half uur", sleep(7.5)),
    ("7 en een half uur geslapen", sleep(7.5)),
    ("zes en een half uur geslapen", sleep(6.5)),
    ("anderhalf uur geslapen", sleep(1.5)),
    ("7u30", sleep(7.5)),
    ("7h30", sleep(7.5)),
    ("6u45 geslapen", sleep(6.75)),
    ("7 uur en 20 minuten", sleep(7.33)),
    ("7 uur en 30 min geslapen", sleep(7.5)),
    ("7 uurtjes", sleep(7)),
    ("een uurtje of 6", sleep(6)),
    ("uurtje of 7 geslapen", sleep(7)),
    ("8 uur slaap", sleep(8)),
    ("slaap: 7 uur", sleep(7)),
    ("vannacht 6 uur geslapen", sleep(6)),
    ("Goedemorgen! 7 uur geslapen", sleep(7)),
    ("slecht geslapen, maar 5 uur", sleep(5)),
    ("7 uur, lekker geslapen", sleep(7)),
    ("7,5u", sleep(7.5)),
    ("slept 7 hours", sleep(7)),
    ("slept about 6 hours", sleep(6)),
    ("6.5 hours", sleep(6.5)),
    ("8 hrs", sleep(8)),
    ("7 hours of sleep", sleep(7)),
    ("slept 8", sleep(8)),
    ("Slept 7.5h", sleep(7.5)),
    ("about 7 hours", sleep(7)),
    ("seven hours", sleep(7)),
    ("only 4 hours", sleep(4)),
    ("4 hrs sleep", sleep(4)),
    ("7 uur maar onrustig", sleep(7)),
    # --- sleep: a bed time and a wake-up time ----------------------------------------------------
    ("van 0:15 tot 7:45", sleep(7.5)),
    ("van 23:00 tot 7:00", sleep(8)),
    ("23:00-7:00", sleep(8)),
    ("22:30 - 06:30", sleep(8)),
    ("bed 23u, op 6u30", sleep(7.5)),
    ("11:30pm - 7am", sleep(7.5)),
    ("om 23u naar bed en om 7u op", sleep(8)),
    ("naar bed om half 12, op om 7 uur", sleep(7.5)),
    ("geslapen van 12 tot 8", sleep(8)),
    ("slept from 11 to 7", sleep(8)),
    ("in bed om 23:00, wakker om 6:45", sleep(7.75)),
    ("went to bed at 11pm, woke up at 6", sleep(7)),
    ("van middernacht tot 7 uur", sleep(7)),
    ("van half 12 tot kwart voor 7", sleep(7.25)),
    ("van 1 tot 9 geslapen", sleep(8)),
    ("om 1 uur naar bed, om 8 uur op", sleep(7)),
    ("half 12 naar bed en half 7 op", sleep(7)),
    ("van 23 tot 6.30", sleep(7.5)),
    ("gisteravond om 23u naar bed, om 7u op", sleep(8)),
    ("last night I slept 7 hours", sleep(7)),
    # --- sleep: how it went, the hours still to ask ----------------------------------------------
    ("slecht geslapen", slept(BAD)),
    ("ik heb slecht geslapen", slept(BAD)),
    ("Heel slecht geslapen 😩", slept(BAD)),
    ("slept badly", slept(BAD)),
    ("slept bad", slept(BAD)),
    ("moe", slept(BAD)),
    ("ik ben zo moe", slept(BAD)),
    ("doodmoe", slept(BAD)),
    ("tired", slept(BAD)),
    ("so tired", slept(BAD)),
    ("niet goed geslapen", slept(BAD)),
    ("kon niet slapen", slept(BAD)),
    ("couldn't sleep", slept(BAD)),
    ("korte nacht", slept(BAD)),
    ("onrustige nacht", slept(BAD)),
    ("goed geslapen", slept(GOOD)),
    ("lekker geslapen!", slept(GOOD)),
    ("slept well", slept(GOOD)),
    ("heerlijk geslapen", slept(GOOD)),
    ("als een roos geslapen", slept(GOOD)),
    ("uitgeslapen", slept(GOOD)),
    ("geslapen", slept(None)),
    ("barely slept", slept(BAD)),
    ("niet zo best geslapen", slept(BAD)),
    ("prima geslapen", slept(GOOD)),
    ("slept like a baby", slept(GOOD)),
    # --- done, no habit named: the latest open nudge ---------------------------------------------
    ("klaar", done()),
    ("Klaar!", done()),
    ("gedaan", done()),
    ("gedaan ✅", done()),
    ("✅", done()),
    ("👍", done()),
    ("ja", done()),
    ("Ja hoor", done()),
    ("jaaa", done()),
    ("yes!", done()),
    ("Yesss", done()),
    ("done", done()),
    ("Done ✔️", done()),
    ("ik ben klaar", done()),
    ("helemaal klaar", done()),
    ("gelukt", done()),
    ("gelukt!! 💪", done()),
    ("check", done()),
    ("did it", done()),
    ("I did", done()),
    ("klaar hoor", done()),
    ("gedaam", done()),
    ("klar", done()),
    ("klaarrr!!!", done()),
    ("wandelin gedaan", done(WALK)),
    ("ok gedaan", done()),
    ("oké, klaar", done()),
    ("finished", done()),
    ("Yep", done()),
    ("winddown gedaan", done(SLEEP)),
    ("afgevinkt", done()),
    ("is gelukt", done()),
    # --- skip ------------------------------------------------------------------------------------
    ("overslaan", skip()),
    ("Overslaan", skip()),
    ("sla over", skip()),
    ("sla maar over", skip()),
    ("skip", skip()),
    ("skippen", skip()),
    ("vandaag niet", skip()),
    ("niet vandaag", skip()),
    ("vandaag even niet", skip()),
    ("nee", skip()),
    ("Nee hoor", skip()),
    ("nope", skip()),
    ("no", skip()),
    ("not today", skip()),
    ("laat maar", skip()),
    ("geen tijd", skip()),
    ("geen zin vandaag", skip()),
    ("lukt vandaag niet", skip()),
    ("nee, vandaag niet", skip()),
    ("overslan", skip()),
    ("wandeling overslaan", skip(WALK)),
    ("sla de wandeling over", skip(WALK)),
    ("ademhaling overslaan", skip(BREATHING)),
    ("skip walk", skip(WALK)),
    ("skip breathing today", skip(BREATHING)),
    ("geen wandeling vandaag", skip(WALK)),
    ("vandaag geen wandeling", skip(WALK)),
    ("no walk today", skip(WALK)),
    ("wind-down overslaan", skip(SLEEP)),
    ("ik sla hem over", skip()),
    ("deze keer niet", skip()),
    ("can't today", skip()),
    ("kan vandaag niet", skip()),
    ("geen tijd vandaag sorry", skip()),
    # --- a bare number: the caller decides by what is open ---------------------------------------
    ("7", number(7)),
    ("8,5", number(8.5)),
    ("zeven", number(7)),
    ("ongeveer 7", number(7)),
    # --- snooze ----------------------------------------------------------------------------------
    ("straks", snooze()),
    ("later", snooze()),
    ("Later!", snooze()),
    ("zo meteen", snooze()),
    ("snooze", snooze()),
    ("niet nu", snooze()),
    ("not now", snooze()),
    ("herinner me later", snooze()),
    ("straks graag", snooze()),
    ("ok, later", snooze()),
    ("ja straks", snooze()),
    ("over 10 minuten", snooze(10)),
    ("over tien minuten", snooze(10)),
    ("in 20 min", snooze(20)),
    ("over een kwartier", snooze(15)),
    ("over een half uur", snooze(30)),
    ("over een uurtje", snooze(60)),
    ("10 min later", snooze(10)),
    ("remind me in 15 minutes", snooze(15)),
    ("over 5 min pls", snooze(5)),
    ("in an hour", snooze(60)),
    # --- commands typed without the slash --------------------------------------------------------
    ("stop", command(Command.PAUSE)),
    ("STOP", command(Command.PAUSE)),
    ("stop!", command(Command.PAUSE)),
    ("stop alsjeblieft", command(Command.PAUSE)),
    ("pauze", command(Command.PAUSE)),
    ("even pauze", command(Command.PAUSE)),
    ("pause", command(Command.PAUSE)),
    ("hervat", command(Command.RESUME)),
    ("help", command(Command.HELP)),
    ("help?", command(Command.HELP)),
    ("hulp", command(Command.HELP)),
    ("instellingen", command(Command.SETTINGS)),
    ("instelingen", command(Command.SETTINGS)),
    ("settings", command(Command.SETTINGS)),
    ("vandaag", command(Command.TODAY)),
    ("today", command(Command.TODAY)),
    ("stats", command(Command.STATS)),
    ("stop met sturen", command(Command.PAUSE)),
    ("ik wil stoppen", command(Command.PAUSE)),
    # --- greetings and thanks --------------------------------------------------------------------
    ("hoi", HI),
    ("Hallo!", HI),
    ("hi", HI),
    ("hey 👋", HI),
    ("hoi bot", HI),
    ("goedemorgen", HI),
    ("Goedemorgen ☀️", HI),
    ("morgen!", HI),
    ("good morning", HI),
    ("welterusten", HI),
    ("dank je", THANKS),
    ("dankjewel!", THANKS),
    ("bedankt", THANKS),
    ("thanks", THANKS),
    ("thank you!", THANKS),
    ("top, dank je wel", THANKS),
    ("bedankt voor de herinnering", THANKS),
    ("thx 🙏", THANKS),
    ("merci", THANKS),
    # --- ok: done only if a nudge is open (the caller decides) -----------------------------------
    ("ok", OK),
    ("Ok", OK),
    ("oké", OK),
    ("okay", OK),
    ("oke!", OK),
    ("prima", OK),
    ("is goed", OK),
    ("ok hoor", OK),
    ("👌", OK),
    ("oki doki", OK),
    # --- nothing stored: negations ---------------------------------------------------------------
    ("nog niet", NOTHING),
    ("niet gedaan", NOTHING),
    ("nog niet gedaan", NOTHING),
    ("ik heb nog niet gewandeld", NOTHING),
    ("geen water gehad", NOTHING),
    ("nog geen water gedronken", NOTHING),
    ("niet gewandeld", NOTHING),
    ("haven't walked yet", NOTHING),
    ("not yet", NOTHING),
    ("didn't do it", NOTHING),
    ("I haven't had any water", NOTHING),
    ("vergeten", NOTHING),
    ("wandeling vergeten", NOTHING),
    ("forgot my breathing", NOTHING),
    ("bijna klaar", NOTHING),
    ("nee, nog niet", NOTHING),
    ("ademhaling nog niet gedaan", NOTHING),
    ("niet geslapen", NOTHING),
    ("helaas niet gelukt", NOTHING),
    ("geen wandeling", NOTHING),
    ("not done", NOTHING),
    ("❌", NOTHING),
    ("nee gewandeld", NOTHING),
    ("niet 2 glazen maar 1", NOTHING),
    ("neit gewandeld", NOTHING),
    ("nog neit gewandeld", NOTHING),
    ("nie gewandeld", NOTHING),
    ("havnt walked", NOTHING),
    ("nooiy gewandeld", NOTHING),
    ("strax gewandeld", NOTHING),
    ("nt gewandeld", NOTHING),
    ("rondje gepland", NOTHING),
    ("net geen 7 uur", NOTHING),
    ("niet gelukt vandaag", NOTHING),
    # --- nothing stored: future and intent -------------------------------------------------------
    ("ik ga zo", NOTHING),
    ("ik ga zo wandelen", NOTHING),
    ("straks ga ik wandelen", NOTHING),
    ("ga zo even een rondje lopen", NOTHING),
    ("ik ga nu wandelen", NOTHING),
    ("I'll do it later", NOTHING),
    ("going to walk after lunch", NOTHING),
    ("gonna drink some water", NOTHING),
    ("ik ga slapen", NOTHING),
    ("morgen ga ik wandelen", NOTHING),
    ("moet nog wandelen", NOTHING),
    ("wil zo even ademen", NOTHING),
    ("misschien straks", NOTHING),
    ("als ik tijd heb", NOTHING),
    ("I will", NOTHING),
    ("ben aan het wandelen", NOTHING),
    ("later wandelen", NOTHING),
    ("straks water drinken", NOTHING),
    ("ik probeer het", NOTHING),
    ("zo meteen 2 glazen", NOTHING),
    ("wandelen", NOTHING),
    ("water drinken", NOTHING),
    ("oké doe ik", NOTHING),
    ("doe ik zo", NOTHING),
    ("morgen weer", NOTHING),
    ("50 min lopen", NOTHING),
    ("wandeling om 12 uur", NOTHING),
    ("walk the dog", NOTHING),
    # --- nothing stored: questions ---------------------------------------------------------------
    ("gedaan?", NOTHING),
    ("hoeveel glazen heb ik vandaag?", NOTHING),
    ("hoeveel water moet ik drinken", NOTHING),
    ("wanneer moet ik wandelen", NOTHING),
    ("hoe werkt dit", NOTHING),
    ("wat moet ik doen", NOTHING),
    ("heb ik al gewandeld?", NOTHING),
    ("heb ik al gewandeld", NOTHING),
    ("how many glasses today?", NOTHING),
    ("what time is my walk", NOTHING),
    ("did I drink enough", NOTHING),
    ("telt koffie ook?", NOTHING),
    ("moet ik nu ademen?", NOTHING),
    ("wandeling?", NOTHING),
    ("7 uur?", NOTHING),
    ("kan ik ook later wandelen", NOTHING),
    ("hallo, hoe gaat het?", NOTHING),
    # --- nothing stored: a clock time on its own -------------------------------------------------
    ("7:30", NOTHING),
    ("half acht", NOTHING),
    ("om 7 uur", NOTHING),
    ("23:00", NOTHING),
    ("kwart over zeven", NOTHING),
    ("om half 8", NOTHING),
    ("7pm", NOTHING),
    ("23:00 7:00", NOTHING),
    # --- nothing stored: numbers that belong to no habit, out of range, malformed ----------------
    ("ik heb 2 katten", NOTHING),
    ("3 kinderen", NOTHING),
    ("ik heb 2", NOTHING),
    ("tussen 6 en 7 uur", NOTHING),
    ("6-7 uur", NOTHING),
    ("1e9", NOTHING),
    ("-2 glazen", NOTHING),
    ("25 uur", NOTHING),
    ("0,2 minuten geslapen", NOTHING),  # rounds to 0 hours
    ("0 uur", NOTHING),
    ("17 uur geslapen", NOTHING),
    ("100", NOTHING),
    ("0", NOTHING),
    ("2 keer", NOTHING),
    ("10 minuten", NOTHING),
    ("5 km gefietst", NOTHING),
    ("13 glazen", NOTHING),
    ("5 liter water", NOTHING),
    ("0 glazen", NOTHING),
    ("tweee glazen", NOTHING),
    ("een paar glazen water", NOTHING),
    # a total so far ("al", "vandaag", "so far") may already be counted: storing it could count twice
    ("ik heb al 5 glazen", NOTHING),
    ("3 glazen vandaag", NOTHING),
    ("had 3 glasses already", NOTHING),
    ("I've had 6 glasses today", NOTHING),
    ("5 glazen tot nu toe", NOTHING),
    ("3 glasses so far", NOTHING),
    ("een flesje water", NOTHING),
    # --- nothing stored: not water, not a walk ---------------------------------------------------
    ("koffie gedronken", NOTHING),
    ("glas wijn", NOTHING),
    ("2 kopjes thee", NOTHING),
    ("2 bekers", NOTHING),
    ("rondje fietsen", NOTHING),
    ("gefietst", NOTHING),
    ("klaar met koken", NOTHING),
    ("pizza gegeten", NOTHING),
    ("talked to my sister", NOTHING),
    ("meditatie gedaan", NOTHING),
    ("water is lekker", NOTHING),
    ("het liep goed", NOTHING),
    # --- nothing stored: two habits or two amounts at once ---------------------------------------
    ("gewandeld en geademd", NOTHING),
    ("7 uur geslapen en 2 glazen water", NOTHING),
    ("wandeling en ademhaling gedaan", NOTHING),
    # --- nothing stored: yesterday ---------------------------------------------------------------
    ("gisteren gewandeld", NOTHING),
    ("gisteren 8 glazen", NOTHING),
    ("yesterday I walked", NOTHING),
    ("ik heb gisteravond gewandeld", NOTHING),
    ("gisteravond 3 glazen water", NOTHING),
    ("maandag gewandeld", NOTHING),
    ("vorige week gewandeld", NOTHING),
    ("2 dagen geleden gewandeld", NOTHING),
    # --- nothing stored: someone else's walk -----------------------------------------------------
    ("mijn man heeft gewandeld", NOTHING),
    ("de kinderen hebben gewandeld", NOTHING),
    ("she walked", NOTHING),
    ("my husband walked", NOTHING),
    # --- nothing stored: chatter -----------------------------------------------------------------
    ("abc", NOTHING),
    ("haha", NOTHING),
    ("😂", NOTHING),
    ("...", NOTHING),
    ("???", NOTHING),
    ("wie ben jij", NOTHING),
    ("wat is dit voor bot", NOTHING),
    ("ik voel me goed", NOTHING),
    ("mooi weer vandaag", NOTHING),
    ("ik heb honger", NOTHING),
    ("koffie", NOTHING),
    ("nee dank je", NOTHING),
    ("slapen", NOTHING),
    ("lekker slapen", NOTHING),
    ("moe van de wandeling", NOTHING),
    ("ik wil stoppen met wandelen", NOTHING),
    ("rondje hardgelopen", NOTHING),
    ("yoga gedaan", NOTHING),
]


@pytest.mark.parametrize(("text", "expected"), MESSAGES)
def test_what_members_type(text: str, expected: ParsedCheckIn | None) -> None:
    assert parse_checkin(text) == expected


def test_the_table_is_large_and_mostly_realistic() -> None:
    texts = [text for text, _ in MESSAGES]
    assert len(texts) == len(set(texts)), "a message is in the table twice"
    assert len(MESSAGES) >= 300
    assert sum(expected is None for _, expected in MESSAGES) >= 80
    stores_nothing = [e for _, e in MESSAGES if e is None or not e.may_store]
    assert len(stores_nothing) >= 150


# --- properties ------------------------------------------------------------------------------------

ACCEPTED = [text for text, expected in MESSAGES if expected is not None and expected.may_store]
NEGATIONS_BEFORE = [
    "nog niet",
    "niet",
    "ik heb nog niet",
    "ik heb niet",
    "helaas nog niet",
    "I haven't",
    "I didn't",
    "not yet",
    "nooit",
]
NEGATIONS_AFTER = [", nog niet", " not yet", " niet gedaan", " vergeten", " ❌"]
FUTURE_BEFORE = [
    "ik ga",
    "ik ga zo",
    "straks ga ik",
    "I'll",
    "going to",
    "ik wil",
    "morgen",
    "misschien",
    "ik moet nog",
    "ik zal",
    "gonna",
    "ik probeer",
]
FUTURE_AFTER = [" straks", " morgen", " later vandaag", " zo meteen", " tomorrow", " if I can"]


@given(
    st.sampled_from(ACCEPTED),
    st.sampled_from(NEGATIONS_BEFORE + FUTURE_BEFORE),
    st.sampled_from(["", "?"]),
)
def test_a_negation_or_future_before_an_accepted_checkin_stores_nothing(
    checkin: str, before: str, ending: str
) -> None:
    result = parse_checkin(f"{before} {checkin}{ending}")
    assert result is None or not result.may_store


@given(st.sampled_from(ACCEPTED), st.sampled_from(NEGATIONS_AFTER + FUTURE_AFTER))
def test_a_negation_or_future_after_an_accepted_checkin_stores_nothing(checkin: str, after: str) -> None:
    result = parse_checkin(f"{checkin}{after}")
    assert result is None or not result.may_store


@given(
    st.sampled_from(ACCEPTED),
    st.sampled_from(
        ["gisteren", "eergisteren", "maandag", "zondag", "vorige week", "yesterday", "last week"]
    ),
)
def test_another_day_before_an_accepted_checkin_stores_nothing(checkin: str, day: str) -> None:
    """A check-in is for today: "gisteren gewandeld" is not today's walk."""
    result = parse_checkin(f"{day} {checkin}")
    assert result is None or not result.may_store


@given(st.sampled_from(ACCEPTED))
def test_a_trailing_question_mark_makes_an_accepted_checkin_a_question(checkin: str) -> None:
    assert parse_checkin(f"{checkin}?") is None


def assert_sound(result: ParsedCheckIn | None) -> None:
    """Whatever was typed, a result never holds a value outside its habit's range."""
    if result is None:
        return
    kind, value = result.kind, result.value
    assert (result.command is not None) == (kind is CheckInKind.COMMAND)
    assert result.quality is None or kind is CheckInKind.SLEEP_QUALITY
    if kind in (CheckInKind.WATER, CheckInKind.SLEEP, CheckInKind.NUMBER):
        assert value is not None
        assert math.isfinite(value)
        assert value == round(value, 2)
        assert result.habit is None
    if kind is CheckInKind.WATER:
        assert value is not None
        assert value.is_integer()
        assert MIN_GLASSES <= value <= MAX_GLASSES
    elif kind is CheckInKind.SLEEP:
        assert value is not None
        assert 0 < value <= MAX_SLEEP_HOURS
    elif kind is CheckInKind.NUMBER:
        assert value is not None
        assert 0 < value <= MAX_NUMBER
    elif kind is CheckInKind.SNOOZE:
        assert value is None or (value.is_integer() and 1 <= value <= MAX_SNOOZE_MINUTES)
    elif kind is CheckInKind.SLEEP_QUALITY:
        assert result.habit is SLEEP
        assert value is None
    else:
        assert value is None
        if kind not in (CheckInKind.DONE, CheckInKind.SKIP):
            assert result.habit is None


# The lexicon's own words and phrases, numbers at the edges and bits of punctuation, so the fuzzer
# builds near misses of real check-ins rather than only random Unicode.
LEXICON_PIECES = sorted({*LEXICON, *(" ".join(phrase) for phrase in PHRASES)})
PIECES = st.sampled_from(LEXICON_PIECES) | st.sampled_from(
    ["0", "1", "2", "7", "7,5", "12", "13", "16", "16,5", "24", "25", "250", "1000", "9999", "0730",
     "7:30", "23:00", "7u30", "24h00", "7.555", "-", "+", "?", "!", ",", ":", "x", "½", "٣", "\x00",
     "1e9", "nan", "99999999"]
)  # fmt: skip
LEXICON_SOUP = st.lists(PIECES, min_size=1, max_size=8).map(" ".join)
GLUED_SOUP = st.lists(PIECES, min_size=1, max_size=6).map("".join)


@given(LEXICON_SOUP | GLUED_SOUP | st.text(max_size=250))
@settings(max_examples=1500)
def test_the_parser_never_raises_and_never_leaves_a_habits_range(text: str) -> None:
    assert_sound(parse_checkin(text))


@given(LEXICON_SOUP | GLUED_SOUP | st.text(max_size=250))
@settings(max_examples=500)
def test_times_never_raise(text: str) -> None:
    result = parse_time_of_day(text)
    assert result is None or isinstance(result, datetime.time)
    times = parse_times(text)
    assert times is None or 1 <= len(times) <= 3


# --- built from parts: the combinations people write -----------------------------------------------

COUNT_WORDS = {
    1: ["1", "een", "één", "one", "a"],
    2: ["2", "twee", "two"],
    3: ["3", "drie", "three"],
    4: ["4", "vier", "four"],
    5: ["5", "vijf", "five"],
    6: ["6", "zes", "six"],
    7: ["7", "zeven", "seven"],
    8: ["8", "acht", "eight"],
    9: ["9", "negen", "nine"],
    10: ["10", "tien", "ten"],
    11: ["11", "elf", "eleven"],
    12: ["12", "twaalf", "twelve"],
}
OPENINGS = ["", "ik heb ", "net ", "ik heb net ", "ja ", "ok ", "zojuist ", "I've just ", "just ", "hoi, "]
ENDINGS = ["", " gedronken", " 👍", " hoor", "!", " drunk", " 😊", " net", " na de lunch"]
ESTIMATES = ["", "ongeveer ", "ruim ", "bijna ", "zo'n ", "about ", "around ", "almost ", "~"]


@given(
    st.integers(min_value=1, max_value=12),
    st.data(),
    st.sampled_from(["glazen", "glaasjes", "glasses", "glas", "glass"]),
    st.sampled_from(["", " water", " of water"]),
    st.sampled_from(OPENINGS),
    st.sampled_from(ESTIMATES),
    st.sampled_from(ENDINGS),
)
def test_glasses_in_any_combination(
    count: int, data: st.DataObject, unit: str, noun: str, opening: str, estimate: str, ending: str
) -> None:
    word = data.draw(st.sampled_from(COUNT_WORDS[count]))
    assume(not (noun == " of water" and ending in (" gedronken", " drunk") and opening.startswith("ik")))
    text = f"{opening}{estimate}{word} {unit}{noun}{ending}"
    assert parse_checkin(text) == water(count), text


@given(
    st.integers(min_value=1, max_value=4000),
    st.sampled_from([("ml", 1), (" ml", 1), ("cl", 10), (" cl", 10), (" dl", 100), (" liter", 1000)]),
    st.sampled_from(["", " water"]),
    st.sampled_from(OPENINGS),
    st.sampled_from(ENDINGS),
)
def test_volumes_count_a_glass_per_250_ml(
    amount: int, unit: tuple[str, int], noun: str, opening: str, ending: str
) -> None:
    suffix, ml_per_unit = unit
    ml = amount * ml_per_unit
    glasses = max(1, math.floor(ml / 250 + 0.5))
    expected = water(glasses) if glasses <= MAX_GLASSES and amount <= 999_999 else None
    assert parse_checkin(f"{opening}{amount}{suffix}{noun}{ending}") == expected


@given(
    st.integers(min_value=1, max_value=17),
    st.sampled_from(["", ",5", ".5", ",25", ".75"]),
    st.sampled_from([" uur", "u", " hours", "h", " hrs", " uurtjes"]),
    st.sampled_from(["", " geslapen", " slaap", " of sleep"]),
    st.sampled_from(["", "ik heb ", "slept ", "maar ", "ruim ", "vannacht ", "goedemorgen, "]),
)
def test_hours_of_sleep_in_any_combination(
    hours: int, fraction: str, unit: str, verb: str, opening: str
) -> None:
    assume(not (opening == "slept " and verb))
    value = hours + (float("0" + fraction.replace(",", ".")) if fraction else 0)
    text = f"{opening}{hours}{fraction}{unit}{verb}"
    assert parse_checkin(text) == (sleep(value) if value <= MAX_SLEEP_HOURS else None), text


@given(
    st.integers(min_value=20 * 60, max_value=26 * 60 + 59),
    st.integers(min_value=5 * 60, max_value=10 * 60),
    st.sampled_from(
        ["{b}-{w}", "{b} - {w}", "van {b} tot {w}", "bed {b}, op {w}", "geslapen van {b} tot {w}"]
    ),
)
def test_a_bed_time_and_a_wake_up_time_give_the_night(bed: int, wake: int, form: str) -> None:
    bed %= 24 * 60
    text = form.format(b=f"{bed // 60}:{bed % 60:02d}", w=f"{wake // 60}:{wake % 60:02d}")
    assert parse_checkin(text) == sleep(round(((wake - bed) % (24 * 60)) / 60, 2)), text


@given(
    st.sampled_from(
        [
            "2 glazen",
            "3 glasses of water",
            "500 ml",
            "een glas water",
            "+1",
            "2x water",
            "anderhalve liter",
            "💧💧",
        ]
    ),
    st.sampled_from(["al ", "vandaag ", "in totaal ", "tot nu toe ", "already "]),
    st.sampled_from(["", " vandaag", " tot nu toe", " so far", " today", " in totaal"]),
)
def test_a_running_total_of_water_stores_nothing(checkin: str, before: str, after: str) -> None:
    """ "al 5 glazen", "8 glazen vandaag": what the bot may already have counted is not added again."""
    result = parse_checkin(f"{before}{checkin}{after}")
    assert result is None or not result.may_store or result.kind is not CheckInKind.WATER


NEGATED_PARTS = ["niet", "nog niet", "geen", "not", "haven't", "didn't", "nooit", "vergeten"]


@given(
    st.sampled_from(["ik heb", "heb", "", "I", "I've"]),
    st.sampled_from(NEGATED_PARTS),
    st.sampled_from(
        ["gewandeld", "water gedronken", "2 glazen gehad", "geademd", "walked", "7 uur geslapen"]
    ),
)
def test_negated_combinations_store_nothing(subject: str, negation: str, rest: str) -> None:
    result = parse_checkin(f"{subject} {negation} {rest}")
    assert result is None or not result.may_store


DOUBT_WORDS = sorted(
    w
    for w, m in LEXICON.items()
    if m.roles & (Role.NEGATION | Role.FUTURE | Role.QUESTION) and w.isalpha() and len(w) >= 3
)


DOUBT_TYPOS = st.sampled_from(DOUBT_WORDS).flatmap(lambda w: st.sampled_from(sorted(_one_edit_variants(w))))
SAYS_SOMETHING = Role.DONE | Role.DONE_AUX | Role.DONE_VERB | Role.HABIT | Role.UNIT | Role.NUMBER


@given(DOUBT_TYPOS)
def test_a_negation_or_future_typed_wrong_is_never_read_as_a_habit_or_done_word(variant: str) -> None:
    """ "fater" is one letter from "water" and from "later": it is read as neither."""
    assume(_without_accents(variant) not in PLAIN_WORDS)
    assert not lookup(variant).roles & SAYS_SOMETHING


@given(
    DOUBT_TYPOS,
    st.sampled_from(["gewandeld", "rondje gelopen met de hond", "walked", "ademhaling gedaan", "geademd"]),
)
def test_a_negation_or_future_typed_wrong_still_stores_nothing(variant: str, checkin: str) -> None:
    """ "neit gewandeld", "havnt walked": a walk or breathing message may carry words the lexicon
    does not know, but never one that may be a negation or a plan typed wrong."""
    assume(_without_accents(variant) not in PLAIN_WORDS)
    assume(lookup(variant).roles & Role.UNKNOWN)  # not a word of its own, such as "aaan" for "aan"
    result = parse_checkin(f"{variant} {checkin}")
    assert result is None or not result.may_store


NUMBER_WORDS = [w for w, m in LEXICON.items() if m.roles & Role.NUMBER and m.word and w.isalpha()]


def _one_edit_variants(word: str) -> set[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    variants = {word[:i] + word[i + 1 :] for i in range(len(word))}
    variants |= {word[:i] + c + word[i + 1 :] for i in range(len(word)) for c in letters}
    variants |= {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in letters}
    variants |= {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    return variants - {word}


def _without_accents(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch))


PLAIN_WORDS = {_without_accents(word) for word in LEXICON}


@given(st.sampled_from(NUMBER_WORDS).flatmap(lambda w: st.sampled_from(sorted(_one_edit_variants(w)))))
def test_numbers_never_match_by_typo(variant: str) -> None:
    assume(_without_accents(variant) not in PLAIN_WORDS)  # "éen" is "één" without a typo
    assert parse_checkin(f"{variant} glazen water") is None


# --- times of day in words, here and in the settings screens -----------------------------------------

T = datetime.time
TIMES_IN_WORDS: list[tuple[str, datetime.time | None]] = [
    ("half acht", T(7, 30)),
    ("Half 8", T(7, 30)),
    ("om half acht", T(7, 30)),
    ("half een", T(0, 30)),
    ("half twaalf", T(11, 30)),
    ("half 11 's avonds", T(22, 30)),
    ("half elf 's avonds", T(22, 30)),
    ("kwart over zeven", T(7, 15)),
    ("kwart voor acht", T(7, 45)),
    ("kwart voor 12", T(11, 45)),
    ("kwart over 11 's avonds", T(23, 15)),
    ("tien over zeven", T(7, 10)),
    ("vijf voor acht", T(7, 55)),
    ("tien over half zeven", T(6, 40)),
    ("vijf voor half acht", T(7, 25)),
    ("5 over half 8", T(7, 35)),
    ("acht uur", T(8, 0)),
    ("Acht uur 's ochtends", T(8, 0)),
    ("tien uur 's avonds", T(22, 0)),
    ("twaalf uur 's nachts", T(0, 0)),
    ("2 uur 's middags", T(14, 0)),
    ("om 7 uur", T(7, 0)),
    ("rond 23:00", T(23, 0)),
    ("middernacht", T(0, 0)),
    ("half past seven", T(7, 30)),
    ("half seven", T(7, 30)),
    ("quarter past seven", T(7, 15)),
    ("a quarter to eight", T(7, 45)),
    ("ten past seven", T(7, 10)),
    ("twenty to eight", T(7, 40)),
    ("seven o'clock", T(7, 0)),
    ("7 o'clock", T(7, 0)),
    ("half past ten pm", T(22, 30)),
    ("at 11pm", T(23, 0)),
    ("noon", T(12, 0)),
    ("midnight", T(0, 0)),
    # refused
    ("acht", None),
    ("half", None),
    ("kwart", None),
    ("half dertien", None),
    ("kwart over", None),
    ("twintig over half acht", None),
    ("7 to 8", None),
    ("19:00 's ochtends", None),
    ("half 0", None),
    ("half acht uur", None),
    ("een over acht", None),
]


@pytest.mark.parametrize(("text", "expected"), TIMES_IN_WORDS)
def test_time_of_day_in_words(text: str, expected: datetime.time | None) -> None:
    assert parse_time_of_day(text) == expected


TYPED_TIMES: list[tuple[str, list[datetime.time] | None]] = [
    ("half acht", [T(7, 30)]),
    ("half acht en half twaalf", [T(7, 30), T(11, 30)]),
    ("kwart over zeven, 23:00", [T(7, 15), T(23, 0)]),
    ("van half elf 's avonds tot zeven uur", [T(22, 30), T(7, 0)]),
    ("7 uur", [T(7, 0)]),
    ("acht uur, half een en zes uur", [T(8, 0), T(0, 30), T(6, 0)]),
    ("quarter to eight and 11pm", [T(7, 45), T(23, 0)]),
    ("half acht half acht half acht half acht", None),
    ("half", None),
    ("half acht abc", None),
]


@pytest.mark.parametrize(("text", "expected"), TYPED_TIMES)
def test_typed_times_in_words(text: str, expected: list[datetime.time] | None) -> None:
    assert parse_times(text) == expected
