"""Time expressions of an article, normalised against its publication date.

``time_report(text, chunks, published)`` finds the dates, weekdays, relative references
("last week", "two years ago"), quarters, deadlines ("by December 2023") and vague
references ("in the years to come") of an article, resolves each to an ISO value with its
first and last day, and says whether its clause looks ahead or reports the past.

How it works, in three passes:

1. *Candidates.* Regular expressions over the raw text find the time expressions proper
   ("atoms": "December 2023", "this month", "the third quarter"). Each atom is then widened
   to the left by a modifier ("early", "mid-", "the end of", "earlier") and by a deadline
   marker ("by", "until", "no later than", "within"). Bare years and bare month names need
   evidence that they are times (a preposition such as "in" or "since", a modifier, or a
   spaCy DATE entity); a number spaCy reads as counting a noun ("by 2000 votes") is not a
   year. Overlaps are settled in favour of the longest candidate.
2. *Clause.* For each expression, the dependency tree is climbed from the expression to
   the first verb whose tense is known: a future modal ("will", "would") or a look-ahead
   verb ("expected to", "plans to", "is set to", "scheduled") makes it forward-looking; a
   past tense (VBD, or a participle with "have"/"was") makes it past. Where the climb
   decides nothing, the sentence's look-ahead phrases and its root verb decide. A deadline
   ("by ...", "until ...") is forward-looking unless its clause is past tense ("he served
   until 2015", "by 2020 output had doubled"). Vague phrases about the future ("in the
   years to come", "soon") are forward-looking by themselves.
3. *Values.* Explicit calendar dates are normalised by ``dateparser``; everything relative
   is computed against the publication date, and a date without a year ("in March",
   "on Monday") is put on the side of the publication date that the clause's tense points
   to (the past for a past-tense clause, the future for a forward-looking one, else the
   nearest).

Values: a day '2025-06-01', an ISO week '2025-W22' (a weekend '2025-W22-WE'), a month
'2023-12', a quarter '2024-Q3', a season '2024-SU' (granularity quarter), a half-year
'2024-H1' and a year '2026' (granularity year), a decade '199' (TIMEX3 style, granularity
year), a span of days or years as an ISO interval ('2025-07-29/2025-07-30', '2020/2024').
A modifier narrows ``start``/``end`` but keeps the value ("early 2023": '2023', January to
April). A stretch counted from publication ("the past two years", "within three years")
has ``start``/``end`` but no value.

Span conventions: a span covers the expression proper with its determiner ("the third
quarter"), modifier ("earlier this month") and deadline marker ("by December 2023"); a
plain locating preposition ("in 2019", "on Monday", "since March") is left out, except in
the fixed vague phrases ("in the years to come", "in the near future").
"""

from __future__ import annotations

import bisect
import calendar
import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterable, Iterator, Optional

from dateparser.date import DateDataParser
from spacy.tokens import Doc, Token

from saywho.model import Granularity, TimeExpression, TimeReport

__all__ = ["time_report", "UNKNOWN_PUBLICATION_NOTE"]

UNKNOWN_PUBLICATION_NOTE = (
    "The publication date is unknown, so time references were not checked against it; "
    "relative ones (such as 'last week' or 'on Monday') are left unresolved."
)

# -- Regular-expression building blocks ----------------------------------------------------

SP = r"[ \t\u00a0]+"  # spaces within one line: an expression never crosses a line break
OSP = r"[ \t\u00a0]*"
WB = r"(?<![\w'’-])"  # a word starts here
# A year or month may follow a hyphenated modifier: "mid-2024", "end-March".
AFTER_MOD = r"(?:(?<=[Mm]id-)|(?<=[Ee]nd-)|(?<=[Ll]ate-)|(?<=[Ee]arly-))"

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
MONTH_FULL = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"(?![A-Za-z])"
)
MONTH_ANY = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)(?![A-Za-z])"
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?![A-Za-z])"
DAYNUM = r"(?:0?[1-9]|[12][0-9]|3[01])(?![0-9])(?:st|nd|rd|th)?(?![\w:])"
YEAR_CORE = r"(?:1[89][0-9]{2}|20[0-9]{2}|21[0-9]{2})"
YEAR = YEAR_CORE + r"(?![\w%])(?![.,][0-9])"
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "a couple of": 2, "couple of": 2,
}  # fmt: skip
NUM = (
    r"(?:[0-9]{1,3}|a(?:" + SP + r"couple" + SP + r"of)?|an|couple" + SP + r"of|one|two|three|four|five|six"
    r"|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen"
    r"|eighteen|nineteen|twenty|thirty|forty|fifty)"
)
VAGUE_NUM = r"(?:a" + SP + r"few|few|several|many|some|a" + SP + r"number" + SP + r"of|dozens" + SP + r"of)"
UNIT = r"(?P<unit>day|week|month|year|decade)"
SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}  # first month


def _rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


# Explicit calendar dates.
ISO_RE = _rx(r"(?<![\w/.-])(?P<y>[0-9]{4})(?P<sep>[-/])(?P<m>[0-9]{2})(?P=sep)(?P<d>[0-9]{2})(?![\w/-])(?![.,][0-9])")
NUMERIC_RE = _rx(r"(?<![\w/.-])(?P<a>[0-9]{1,2})/(?P<b>[0-9]{1,2})/(?P<y>[0-9]{4}|[0-9]{2})(?![\w/-])(?![.,][0-9])")
MDY_RE = _rx(
    rf"{WB}(?:(?P<wd>{WEEKDAY}),?{SP})?(?P<mon>{MONTH_ANY}){SP}(?P<d>{DAYNUM})"
    rf"(?:{OSP}[-–]{OSP}(?P<d2>{DAYNUM}))?(?:,?{SP}(?P<y>{YEAR}))?"
)
DMY_RE = _rx(
    rf"(?<![\w'’$€£.,-])(?:(?P<wd>{WEEKDAY}),?{SP})?(?:(?i:the){SP})?(?P<d>{DAYNUM})"
    rf"(?:{OSP}[-–]{OSP}(?P<d2>{DAYNUM}))?{SP}(?:(?i:of){SP})?(?P<mon>{MONTH_ANY})(?:,?{SP}(?P<y>{YEAR}))?"
)
MONTH_YEAR_RE = _rx(rf"(?:{AFTER_MOD}|{WB})(?P<mon>{MONTH_ANY}),?{SP}(?:(?i:of){SP})?(?P<y>{YEAR})")
MONTH_RE = _rx(
    rf"(?:{AFTER_MOD}|{WB})(?:(?P<rel>(?i:this{SP}past|this{SP}coming|last|next|this|past|coming)){SP})?(?P<mon>{MONTH_FULL})(?![\w-])"
)
YEAR_RANGE_RE = _rx(
    rf"(?:{AFTER_MOD}|(?<![\w$€£¥#.,/-]))(?P<y1>{YEAR_CORE})[-–—](?P<y2>{YEAR_CORE}|[0-9]{{2}})(?![\w%/-])(?![.,][0-9])"
)
YEAR_RE = _rx(rf"(?:{AFTER_MOD}|(?<![\w$€£¥#.,/-]))(?P<y>{YEAR_CORE})(?![\w%/-])(?![.,][0-9])(?!{SP}(?:percent|per{SP}cent)\b)")
DECADE_RE = _rx(
    rf"{WB}(?:(?i:the){SP})?(?:(?P<mod>(?i:early|mid|late))(?:-|{SP}))?"
    rf"(?:(?P<d>(?:1[89]|20|21)[0-9]0)['’]?s|['’](?P<dd>[0-9]0)s)(?![\w])"
)

# Quarters, halves and seasons.
QUARTER_Q_RE = _rx(rf"{WB}Q(?P<q>[1-4])(?:{SP}(?:of{SP})?(?P<y>{YEAR}))?(?![\w-])")
QUARTER_ORD_RE = _rx(
    rf"{WB}(?:(?P<the>the){SP})?(?:(?P<fiscal>fiscal){SP})?(?P<ord>first|second|third|fourth|final|last|1st|2nd|3rd|4th)"
    rf"(?:-|{SP})quarter(?:{SP}of{SP}(?:(?P<y>{YEAR})|(?P<yrel>this|last|next|the){SP}year)|,?{SP}(?P<y2>{YEAR}))?(?![\w-])",
    re.I,
)
HALF_RE = _rx(
    rf"{WB}(?:(?:the{SP})?(?P<ord>first|second|1st|2nd)(?:-|{SP})half{SP}of{SP}"
    rf"(?:(?P<y>{YEAR})|(?P<yrel>this|last|next|the){SP}year)|H(?P<h>[12]){SP}(?P<y2>{YEAR}))(?![\w-])",
    re.I,
)
SEASON_RE = _rx(
    rf"{WB}(?:(?P<rel>this{SP}past|this{SP}coming|this|last|next|past|coming){SP}(?P<s1>spring|summer|autumn|fall|winter)"
    rf"|(?:the{SP})?(?P<s2>spring|summer|autumn|fall|winter),?{SP}(?:of{SP})?(?P<y>{YEAR}))(?![\w-])",
    re.I,
)

# Relative references.
RELDAY_RE = _rx(
    rf"{WB}(?:(?P<before>the{SP}day{SP}before{SP}yesterday)|(?P<after>the{SP}day{SP}after{SP}tomorrow)"
    rf"|(?P<w>yesterday|today|tomorrow)(?:{SP}(?:morning|afternoon|evening|night))?"
    rf"|(?P<tonight>tonight|this{SP}(?:morning|afternoon|evening))|(?P<lastnight>last{SP}night))(?![\w-])",
    re.I,
)
WEEKDAY_RE = _rx(
    rf"{WB}(?:(?P<rel>(?i:this{SP}past|this{SP}coming|last|next|this|coming|past)){SP})?(?P<wd>{WEEKDAY})"
    rf"(?:{SP}(?i:morning|afternoon|evening|night))?(?![\w-])"
)
RELUNIT_RE = _rx(
    rf"{WB}(?P<rel>this|last|next|past|coming|current)(?:{SP}(?:past|coming))?{SP}"
    rf"(?P<unit>week|month|year|quarter|decade|weekend)(?![\w-])",
    re.I,
)
WEEKEND_RE = _rx(rf"{WB}(?:over|at){SP}the{SP}weekend(?![\w-])", re.I)
THE_UNIT_RE = _rx(rf"{WB}the{SP}(?P<unit>year|month|week|decade|quarter)(?![\w-])", re.I)  # needs a modifier
UNIT_END_RE = _rx(rf"{WB}(?P<unit>year|month)(?:-|{SP})?end(?![\w-])", re.I)
AGO_RE = _rx(
    rf"{WB}(?:(?P<n>{NUM}|{VAGUE_NUM}){SP})?{UNIT}s?{SP}(?P<dir>ago|from{SP}now|hence)(?![\w-])", re.I
)
IN_TIME_RE = _rx(rf"{WB}in{SP}(?P<n>{NUM}){SP}{UNIT}s?['’]?{SP}time(?![\w-])", re.I)
RANGE_RE = _rx(
    rf"{WB}(?:(?P<within>within)(?:{SP}the{SP}(?:next|coming))?|the{SP}(?P<dir>past|last|next|coming)){SP}"
    rf"(?:(?P<n>{NUM}|{VAGUE_NUM}){SP})?{UNIT}s?(?![\w-])(?!{SP}of\b)",
    re.I,
)

# Vague references: (pattern, looks ahead).
VAGUE_RULES: list[tuple[re.Pattern[str], bool]] = [
    (_rx(rf"{WB}(?:(?:in|over|during|for){SP})?the{SP}(?:days|weeks|months|years|decades){SP}(?:to{SP}come|ahead)(?![\w-])", re.I), True),
    (_rx(rf"{WB}for{SP}(?:days|weeks|months|years|decades){SP}to{SP}come(?![\w-])", re.I), True),
    (_rx(rf"{WB}(?:(?:in|over|during){SP})?the{SP}(?:coming|upcoming|next{SP}few|next{SP}several){SP}(?:days|weeks|months|years|decades)(?![\w-])", re.I), True),
    (_rx(rf"{WB}(?:in{SP}the{SP}(?:(?:near|foreseeable|distant|immediate|not[- ]too[- ]distant){SP})?|the{SP}(?:near|foreseeable|immediate){SP})future(?![\w-])", re.I), True),
    (_rx(rf"{WB}(?:in|over){SP}the{SP}(?:near|short|medium|long|longer)[- ](?:term|run)(?![\w-])", re.I), True),
    (_rx(rf"{WB}(?:sooner{SP}or{SP}later|as{SP}soon{SP}as{SP}possible|before{SP}long|in{SP}due{SP}course|any{SP}day{SP}now|someday)(?![\w-])", re.I), True),
    (_rx(rf"(?<![\w'’-])(?<![Aa]s )soon(?![\w-])(?!{SP}(?:as|after|afterwards|thereafter)\b)", re.I), True),
    (_rx(rf"{WB}shortly(?![\w-])(?!{SP}(?:after|before|afterwards|thereafter)\b)", re.I), True),
    (_rx(rf"{WB}(?:recently|lately|not{SP}long{SP}ago)(?![\w-])", re.I), False),
    (_rx(rf"{WB}(?:(?:in|over|during){SP})?recent{SP}(?:days|weeks|months|years|decades|times)(?![\w-])", re.I), False),
    (_rx(rf"{WB}in{SP}the{SP}past(?![\w-])", re.I), False),
]

# Left context: a modifier, then a deadline marker, then a word that makes a number a time.
MOD_RE = _rx(
    rf"(?:(?<![\w'’-])(?P<m1>early|mid|late)(?:-|{SP})|(?<![\w'’-])(?P<end>end)-|(?<![\w'’-])(?P<m2>earlier|later){SP}"
    rf"|(?<![\w'’-])(?P<m3>(?:the{SP})?(?:start|beginning|middle|end|close){SP}of){SP})$",
    re.I,
)
MARKER_RE = _rx(rf"(?<![\w'’-])(?P<w>by|until|till|'til|til|no{SP}later{SP}than|not{SP}later{SP}than){SP}$", re.I)
TRIGGER_RE = _rx(
    rf"(?:(?<![\w'’-])(?:in|for|since|from|to|through|throughout|during|before|after|around|circa|between|of|"
    rf"as{SP}of|starting|beginning|ending|year|the{SP}year|fiscal|until|till|by)"
    rf"|{YEAR_CORE},?{SP}(?:and|or|to|through|until)){SP}$",
    re.I,
)
MONTH_TRIGGER_RE = _rx(
    rf"(?<![\w'’-])(?:in|for|since|from|to|through|throughout|during|before|after|around|between|as{SP}of|"
    rf"starting|beginning|ending|until|till|by|and|or|on){SP}$",
    re.I,
)
HOLIDAY_BEFORE_RE = _rx(rf"(?:Good|Black|Super|Cyber|Ash|Holy|Easter|Bloody|Blue|Giving|Maundy|Shrove|Whit){SP}$")
CAPITAL_BEFORE_RE = _rx(rf"[A-Z][\w.&]*{SP}$")

# -- Clause analysis ------------------------------------------------------------------------

FUTURE_MODALS = {"will", "'ll", "’ll", "wo", "shall", "would", "'d", "’d"}
# Verbs that look ahead when they govern an infinitive ("plans to build").
LOOKAHEAD_XCOMP = {
    "expect", "plan", "set", "aim", "intend", "hope", "want", "promise", "pledge", "vow", "seek",
    "prepare", "propose", "threaten", "target", "go", "agree", "decide", "schedule", "slate", "due",
}  # fmt: skip
# Verbs that look ahead by themselves when passive ("expected on Monday", "scheduled for May").
LOOKAHEAD_PASSIVE = {"expect", "schedule", "slate", "set", "due", "plan"}
# Verbs whose every complement lies ahead ("economists expect a cut in September").
LOOKAHEAD_ANY = {"expect", "forecast", "predict", "anticipate"}
LOOKAHEAD_PHRASES = _rx(
    r"\b(?:will|won't|shall|would|wouldn't|(?:expect(?:s|ed|ing)?|plan(?:s|ned|ning)?|aim(?:s|ed|ing)?|"
    r"intend(?:s|ed|ing)?|(?:is|are|was|were|'s|'re)\s+set|scheduled|slated|going)\s+to|to\s+come|"
    r"upcoming|the\s+coming|the\s+(?:near|foreseeable)\s+future)\b",
    re.I,
)


@dataclass
class _Clause:
    forward: bool = False
    past: bool = False


def _verb_like(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB") or token.tag_ == "MD"


def _judge(verb: Token, came_from: Optional[Token]) -> Optional[_Clause]:
    """Forward-looking, past or present (None: cannot tell, look further up)."""
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    if any(a.tag_ == "MD" and a.lower_ in FUTURE_MODALS for a in auxes):
        return _Clause(forward=True)
    lemma = verb.lemma_.lower()
    if lemma in LOOKAHEAD_ANY and came_from is not None:
        return _Clause(forward=True)
    via_xcomp = came_from is not None and came_from.dep_ == "xcomp" and came_from.head == verb
    if lemma in LOOKAHEAD_XCOMP and via_xcomp and (lemma != "go" or verb.tag_ == "VBG"):
        return _Clause(forward=True)  # "plans to build", "is going to open"
    if lemma in LOOKAHEAD_PASSIVE and verb.tag_ == "VBN" and not via_xcomp:
        if any(a.lemma_ == "be" for a in auxes) or verb.dep_ in ("acl", "amod"):
            return _Clause(forward=True)
    if any(c.lower_ == "due" and c.dep_ in ("acomp", "attr", "advmod") for c in verb.children):
        return _Clause(forward=True)  # "the report is due on Friday"
    tags = {a.tag_ for a in auxes}
    lemmas = {a.lemma_.lower() for a in auxes}
    if verb.tag_ == "VBD" and verb.dep_ not in ("aux", "auxpass"):
        return _Clause(past=True)
    if verb.tag_ == "VBN":
        if "have" in lemmas or "VBD" in tags:
            return _Clause(past=True)
        if auxes:
            return _Clause()
        if verb.dep_ in ("acl", "advcl", "amod"):
            return _Clause(past=True)  # a reduced passive: "the treaty, signed in 2021, ..."
        return None
    if auxes:
        if "VBD" in tags:
            return _Clause(past=True)  # "did not", "was building"
        if any(a.tag_ in ("MD", "VBZ", "VBP") for a in auxes):
            return _Clause()
        return None
    if verb.tag_ in ("VBZ", "VBP") or verb.tag_ == "MD":
        return _Clause()
    return None  # an infinitive or a bare gerund


def _clause(tokens: list[Token]) -> tuple[Optional[_Clause], Optional[Token]]:
    """Climb from the expression to the first verb that decides its clause's tense."""
    if not tokens:
        return None, None
    inside = {t.i for t in tokens}
    root = next((t for t in tokens if t.head.i not in inside or t.head.i == t.i), tokens[0])
    came_from: Optional[Token] = None
    token = root
    for _ in range(64):
        if _verb_like(token) and token.dep_ not in ("aux", "auxpass") and token.i not in inside:
            verdict = _judge(token, came_from)
            if verdict is not None:
                return verdict, token
        if token.head.i == token.i:
            break
        came_from, token = token, token.head
    return None, token


def _sentence_clause(sentence_text: str, root: Optional[Token]) -> _Clause:
    """Fallback when the climb decided nothing: the whole sentence's cues."""
    if LOOKAHEAD_PHRASES.search(sentence_text):
        return _Clause(forward=True)
    if root is not None and _verb_like(root):
        verdict = _judge(root, None)
        if verdict is not None:
            return verdict
    return _Clause()


# -- Calendar helpers -----------------------------------------------------------------------


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, k: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + k
    return index // 12, index % 12 + 1


def _shift(day: date, unit: str, n: int) -> date:
    """``day`` moved by n units (months clamp to the month's last day)."""
    if unit == "day":
        return day + timedelta(days=n)
    if unit == "week":
        return day + timedelta(weeks=n)
    months = {"month": 1, "quarter": 3, "year": 12, "decade": 120}[unit] * n
    y, m = _add_months(day.year, day.month, months)
    return date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


@dataclass
class _Norm:
    value: Optional[str]
    start: Optional[date]
    end: Optional[date]
    granularity: Granularity
    relative: bool = False


def _day(d: date, relative: bool = False) -> _Norm:
    return _Norm(d.isoformat(), d, d, Granularity.DAY, relative)


def _week(d: date, relative: bool = False) -> _Norm:
    monday = d - timedelta(days=d.weekday())
    iso_year, iso_week, _ = monday.isocalendar()
    return _Norm(f"{iso_year:04d}-W{iso_week:02d}", monday, monday + timedelta(days=6), Granularity.WEEK, relative)


def _month(y: int, m: int, relative: bool = False) -> _Norm:
    return _Norm(f"{y:04d}-{m:02d}", date(y, m, 1), _month_end(y, m), Granularity.MONTH, relative)


def _quarter(y: int, q: int, relative: bool = False) -> _Norm:
    return _Norm(f"{y:04d}-Q{q}", date(y, 3 * q - 2, 1), _month_end(y, 3 * q), Granularity.QUARTER, relative)


def _year(y: int, relative: bool = False) -> _Norm:
    return _Norm(f"{y:04d}", date(y, 1, 1), date(y, 12, 31), Granularity.YEAR, relative)


def _decade(y0: int, relative: bool = False) -> _Norm:
    # TIMEX3 writes a decade as its first three digits ("199" for the 1990s).
    return _Norm(f"{y0 // 10:03d}", date(y0, 1, 1), date(y0 + 9, 12, 31), Granularity.YEAR, relative)


def _unresolved(granularity: Granularity) -> _Norm:
    return _Norm(None, None, None, granularity, True)


def _unit_norm(unit: str, d: date, relative: bool) -> _Norm:
    if unit == "day":
        return _day(d, relative)
    if unit == "week":
        return _week(d, relative)
    if unit == "month":
        return _month(d.year, d.month, relative)
    if unit == "quarter":
        return _quarter(d.year, (d.month - 1) // 3 + 1, relative)
    if unit == "decade":
        return _decade(d.year // 10 * 10, relative)
    return _year(d.year, relative)


UNIT_GRANULARITY = {
    "day": Granularity.DAY, "week": Granularity.WEEK, "weekend": Granularity.WEEK,
    "month": Granularity.MONTH, "quarter": Granularity.QUARTER, "year": Granularity.YEAR,
    "decade": Granularity.YEAR,
}  # fmt: skip


def _narrow(norm: _Norm, mod: Optional[str], published: Optional[date]) -> _Norm:
    """The part of a period that a modifier picks out: early, mid, late, before, after."""
    if mod is None or norm.start is None or norm.end is None or norm.start == norm.end:
        return norm
    start, end = norm.start, norm.end
    if mod in ("before", "after"):
        if published is None:
            return _Norm(norm.value, None, None, norm.granularity, True)
        if mod == "before":
            end = max(start, min(end, published - timedelta(days=1)))
        else:
            start = min(end, max(start, published + timedelta(days=1)))
        return _Norm(norm.value, start, end, norm.granularity, True)
    part = {"early": 0, "mid": 1, "late": 2}[mod]
    if start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31 and start.year == end.year:
        first = 1 + 4 * part  # Jan-Apr, May-Aug, Sep-Dec
        start, end = date(start.year, first, 1), _month_end(start.year, first + 3)
    elif end.year - start.year == 9 and start.month == 1 and end.month == 12:
        first, last = [(0, 3), (4, 6), (7, 9)][part]
        start, end = date(start.year + first, 1, 1), date(start.year + last, 12, 31)
    elif start.day == 1 and (start.year, start.month) == (end.year, end.month) and end.day == _month_end(end.year, end.month).day:
        first, last = [(1, 10), (11, 20), (21, end.day)][part]  # the month's decades
        start, end = start.replace(day=first), start.replace(day=last)
    else:
        days = (end - start).days + 1
        third = days // 3
        if part == 0:
            end = start + timedelta(days=third - 1)
        elif part == 1:
            start, end = start + timedelta(days=third), end - timedelta(days=third)
        else:
            start = end - timedelta(days=third - 1)
    return _Norm(norm.value, start, end, norm.granularity, norm.relative)


@functools.lru_cache(maxsize=8)
def _date_parser(base: Optional[date]) -> DateDataParser:
    settings = {"PREFER_DAY_OF_MONTH": "first", "RETURN_TIME_AS_PERIOD": True}
    if base is not None:
        settings["RELATIVE_BASE"] = datetime(base.year, base.month, base.day)
    return DateDataParser(languages=["en"], settings=settings)


def _parse_date(text: str) -> Optional[date]:
    """A calendar date written out in full ("June 1, 2025", "06/01/2025"), via dateparser."""
    data = _date_parser(None).get_date_data(text)
    if data is None or data.date_obj is None:
        return None
    return data.date_obj.date()


# -- Candidates -----------------------------------------------------------------------------


@dataclass
class _Cand:
    start: int
    end: int
    kind: str
    info: dict = field(default_factory=dict)
    needs_trigger: bool = False  # a bare year or month: needs a preposition, modifier or entity
    needs_mod: bool = False  # "the year": only as "the end of the year"
    mod: Optional[str] = None
    marker: Optional[str] = None  # the deadline word
    vague_future: Optional[bool] = None  # for kind "vague"
    core: tuple[int, int] = (0, 0)
    order: int = 0


def _num(word: Optional[str]) -> Optional[int]:
    """The value of a count ("two", "12", "a couple of"); None for a vague one ("several")."""
    if word is None:
        return 1
    key = " ".join(word.lower().split())
    if key.isdigit():
        return int(key)
    return NUMBER_WORDS.get(key)


def _rel(word: Optional[str]) -> Optional[str]:
    """'last', 'next', 'this' (or None) from a relational word such as 'this past'."""
    if word is None:
        return None
    key = " ".join(word.lower().split())
    return {
        "this past": "last", "past": "last", "last": "last", "this coming": "next", "coming": "next",
        "next": "next", "this": "this", "current": "this",
    }[key]  # fmt: skip


def _raw_candidates(text: str) -> Iterator[_Cand]:
    """Every atom the patterns find, with what it means."""
    for m in ISO_RE.finditer(text):
        try:
            d = date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            continue
        yield _Cand(m.start(), m.end(), "date", {"date": d})
    for m in NUMERIC_RE.finditer(text):
        d = _parse_date(m.group())
        if d is not None:
            yield _Cand(m.start(), m.end(), "date", {"date": d})
    for rx in (MDY_RE, DMY_RE):
        for m in rx.finditer(text):
            month = MONTHS[m["mon"].rstrip(".").lower()]
            day = int(re.match(r"\d+", m["d"]).group())
            day2 = int(re.match(r"\d+", m["d2"]).group()) if m["d2"] else None
            if day2 is not None and day2 <= day:
                continue
            wd = WEEKDAYS.index(m["wd"].lower()) if m["wd"] else None
            if m["y"]:
                core = f"{m['mon']} {day}, {m['y']}"
                d = _parse_date(core)
                if d is None or (d.month, d.day) != (month, day):
                    continue
                d2 = None
                if day2 is not None:
                    try:
                        d2 = date(d.year, month, day2)
                    except ValueError:
                        continue
                yield _Cand(m.start(), m.end(), "date", {"date": d, "date2": d2, "wd": wd})
            else:
                if day > 31 or (month == 2 and day > 29) or (month in (4, 6, 9, 11) and day > 30):
                    continue
                yield _Cand(m.start(), m.end(), "md", {"m": month, "d": day, "d2": day2, "wd": wd})
    for m in MONTH_YEAR_RE.finditer(text):
        yield _Cand(m.start(), m.end(), "month_year", {"y": int(m["y"]), "m": MONTHS[m["mon"].rstrip(".").lower()]})
    for m in MONTH_RE.finditer(text):
        if m["mon"] == "May" and re.match(r"['’]s\b", text[m.end() :]):
            continue  # "May's" is more often Theresa May than the month
        yield _Cand(
            m.start(), m.end(), "month", {"m": MONTHS[m["mon"].lower()], "rel": _rel(m["rel"])},
            needs_trigger=m["rel"] is None,
        )  # fmt: skip
    for m in YEAR_RANGE_RE.finditer(text):
        y1, tail = int(m["y1"]), m["y2"]
        y2 = int(tail) if len(tail) == 4 else y1 // 100 * 100 + int(tail)
        if y1 < y2 <= y1 + 50:
            yield _Cand(m.start(), m.end(), "year_range", {"y1": y1, "y2": y2}, needs_trigger=True)
    for m in YEAR_RE.finditer(text):
        yield _Cand(m.start(), m.end(), "year", {"y": int(m["y"])}, needs_trigger=True)
    for m in DECADE_RE.finditer(text):
        if m["d"]:
            y0 = int(m["d"])
        else:
            dd = int(m["dd"])
            y0 = (1900 if dd >= 30 else 2000) + dd
        mod = m["mod"].lower() if m["mod"] else None
        yield _Cand(m.start(), m.end(), "decade", {"y0": y0}, mod=mod)
    for m in QUARTER_Q_RE.finditer(text):
        yield _Cand(m.start(), m.end(), "quarter", {"q": int(m["q"]), "y": int(m["y"]) if m["y"] else None})
    for m in QUARTER_ORD_RE.finditer(text):
        ord_ = m["ord"].lower()
        year = m["y"] or m["y2"]
        yrel = m["yrel"].lower() if m["yrel"] else None
        if ord_ == "last" and not year and not yrel:  # "(the) last quarter": the one before
            yield _Cand(m.start(), m.end(), "relunit", {"unit": "quarter", "rel": "last"})
            continue
        q = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}.get(ord_, 4)
        info = {"q": q, "y": int(year) if year else None, "yrel": yrel}
        yield _Cand(m.start(), m.end(), "quarter", info)
    for m in HALF_RE.finditer(text):
        if m["h"]:
            info = {"h": int(m["h"]), "y": int(m["y2"]), "yrel": None}
        else:
            h = 1 if m["ord"].lower() in ("first", "1st") else 2
            info = {"h": h, "y": int(m["y"]) if m["y"] else None, "yrel": m["yrel"].lower() if m["yrel"] else None}
        yield _Cand(m.start(), m.end(), "half", info)
    for m in SEASON_RE.finditer(text):
        season = (m["s1"] or m["s2"]).lower()
        yield _Cand(
            m.start(), m.end(), "season",
            {"s": season, "y": int(m["y"]) if m["y"] else None, "rel": _rel(m["rel"]) if m["rel"] else None},
        )  # fmt: skip
    for m in RELDAY_RE.finditer(text):
        if m["before"]:
            off = -2
        elif m["after"]:
            off = 2
        elif m["lastnight"]:
            off = -1
        elif m["tonight"]:
            off = 0
        else:
            word = m["w"].lower()
            if m["w"] == "Today" and CAPITAL_BEFORE_RE.search(text, 0, m.start()):
                continue  # "USA Today", "Psychology Today"
            off = {"yesterday": -1, "today": 0, "tomorrow": 1}[word]
        yield _Cand(m.start(), m.end(), "relday", {"off": off})
    for m in WEEKDAY_RE.finditer(text):
        if HOLIDAY_BEFORE_RE.search(text, max(0, m.start() - 12), m.start()):
            continue
        yield _Cand(m.start(), m.end(), "weekday", {"wd": WEEKDAYS.index(m["wd"].lower()), "rel": _rel(m["rel"])})
    for m in RELUNIT_RE.finditer(text):
        unit, rel = m["unit"].lower(), m["rel"].lower()
        if rel == "past" and unit != "weekend":
            yield _Cand(m.start(), m.end(), "range", {"unit": unit, "n": 1, "dir": -1})
            continue
        kind = "weekend" if unit == "weekend" else "relunit"
        yield _Cand(m.start(), m.end(), kind, {"unit": unit, "rel": _rel(" ".join(m.group().split()[:-1]))})
    for m in WEEKEND_RE.finditer(text):
        yield _Cand(m.start(), m.end(), "weekend", {"unit": "weekend", "rel": None})
    for m in THE_UNIT_RE.finditer(text):
        yield _Cand(m.start(), m.end(), "relunit", {"unit": m["unit"].lower(), "rel": "this"}, needs_mod=True)
    for m in UNIT_END_RE.finditer(text):
        yield _Cand(m.start(), m.end(), "relunit", {"unit": m["unit"].lower(), "rel": "this"}, mod="late")
    for m in AGO_RE.finditer(text):
        n = _num(m["n"]) if m["n"] else None
        sign = -1 if m["dir"].lower() == "ago" else 1
        if n is None:
            yield _Cand(m.start(), m.end(), "vague", vague_future=sign > 0)
        else:
            yield _Cand(m.start(), m.end(), "ago", {"unit": m["unit"].lower(), "n": n * sign})
    for m in IN_TIME_RE.finditer(text):
        n = _num(m["n"])
        if n is not None:
            yield _Cand(m.start(), m.end(), "ago", {"unit": m["unit"].lower(), "n": n})
    for m in RANGE_RE.finditer(text):
        n = _num(m["n"]) if m["n"] else 1
        forward = bool(m["within"]) or m["dir"].lower() in ("next", "coming")
        plural = m.group().lower().endswith("s")
        if m["n"] is None and m["dir"] and m["dir"].lower() == "next" and not plural:
            continue  # "the next year": after some event, not after publication
        if n is None or (m["n"] is None and plural):
            yield _Cand(m.start(), m.end(), "vague", vague_future=forward, marker="within" if m["within"] else None)
            continue
        info = {"unit": m["unit"].lower(), "n": n, "dir": 1 if forward else -1}
        yield _Cand(m.start(), m.end(), "range", info, marker="within" if m["within"] else None)
    for rx, future in VAGUE_RULES:
        for m in rx.finditer(text):
            yield _Cand(m.start(), m.end(), "vague", vague_future=future)


def _extend(cand: _Cand, text: str) -> _Cand:
    """Take in a modifier ("early", "the end of") and a deadline marker ("by") on the left."""
    cand.core = (cand.start, cand.end)
    line_start = text.rfind("\n", 0, cand.start) + 1
    left = max(line_start, cand.start - 48)
    if cand.kind not in ("vague", "ago", "range", "decade", "date", "md") and cand.mod is None:
        m = MOD_RE.search(text, left, cand.start)
        if m is not None:
            if m["m1"]:
                mod = m["m1"].lower()
            elif m["end"]:
                mod = "late"
            elif m["m2"]:
                mod = "before" if m["m2"].lower() == "earlier" else "after"
                if cand.info.get("rel") != "this" and not (cand.kind == "relday" and cand.info["off"] == 0):
                    mod = None
            else:
                word = m["m3"].lower().split()[-2]
                mod = {"start": "early", "beginning": "early", "middle": "mid"}.get(word, "late")
            if mod is not None:
                cand.mod = mod
                cand.start = m.start()
    if cand.marker is None and cand.kind != "vague":
        m = MARKER_RE.search(text, left, cand.start)
        if m is not None:
            cand.marker = " ".join(m["w"].lower().split())
            cand.start = m.start()
    return cand


def _has_trigger(cand: _Cand, text: str) -> bool:
    if cand.mod is not None or cand.marker is not None:
        return True
    line_start = text.rfind("\n", 0, cand.start) + 1
    left = max(line_start, cand.start - 32)
    rx = MONTH_TRIGGER_RE if cand.kind == "month" else TRIGGER_RE
    return rx.search(text, left, cand.start) is not None


# -- Parsed chunks --------------------------------------------------------------------------


class _Chunks:
    """The parsed pieces of the article, looked up by character offset."""

    def __init__(self, text: str, chunks: list[tuple[Doc, int]]) -> None:
        self.text = text
        self.chunks = sorted(((doc, base) for doc, base in chunks), key=lambda chunk: chunk[1])
        self.bases = [base for _, base in self.chunks]
        self.token_starts = [[token.idx for token in doc] for doc, _ in self.chunks]
        self.lengths = [len(doc.text) for doc, _ in self.chunks]
        self._sentences: dict[int, tuple[list[int], list[tuple[int, int, Token]]]] = {}
        self.date_ents: list[tuple[int, int]] = []
        self.other_ents: list[tuple[int, int, str]] = []
        for doc, base in self.chunks:
            for ent in doc.ents:
                if ent.label_ in ("DATE", "TIME"):
                    self.date_ents.append((ent.start_char + base, ent.end_char + base))
                else:
                    self.other_ents.append((ent.start_char + base, ent.end_char + base, ent.label_))

    def locate(self, start: int, end: int) -> tuple[Optional[Doc], int, list[Token]]:
        """The Doc holding [start, end), its base, and the tokens the span touches."""
        i = bisect.bisect_right(self.bases, start) - 1
        if i < 0:
            return None, 0, []
        doc, base = self.chunks[i]
        if start >= base + self.lengths[i]:
            return None, 0, []
        lo, hi = start - base, min(end - base, self.lengths[i])
        starts = self.token_starts[i]
        first = max(0, bisect.bisect_right(starts, lo) - 1)
        tokens = []
        for token in doc[first:]:
            if token.idx >= hi:
                break
            if token.idx + len(token.text) > lo and not token.is_space:
                tokens.append(token)
        return doc, base, tokens

    def in_date_entity(self, start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in self.date_ents)

    def in_name(self, start: int, end: int) -> bool:
        """Inside a person, organisation or place name ("June Carter", "Theresa May")."""
        return any(
            s <= start and end <= e and label in ("PERSON", "ORG", "GPE", "FAC", "WORK_OF_ART", "EVENT", "PRODUCT")
            for s, e, label in self.other_ents
        )

    def after_noun(self, start: int) -> bool:
        """The token before ``start`` is a noun or number ("room 2019", "Section 2019")."""
        doc, _, tokens = self.locate(start, start + 1)
        if doc is None or not tokens:
            return False
        i = tokens[0].i - 1
        while i >= 0 and doc[i].is_space:
            i -= 1
        return i >= 0 and doc[i].pos_ in ("NOUN", "PROPN", "NUM")

    def counts_something(self, start: int, end: int) -> bool:
        """A number that counts a noun ("2000 votes") or is money, a percentage, a quantity."""
        if any(s <= start and end <= e and label in ("MONEY", "PERCENT", "QUANTITY") for s, e, label in self.other_ents):
            return True
        _, _, tokens = self.locate(start, end)
        for token in tokens:
            if token.like_num and token.dep_ == "nummod" and token.head.pos_ == "NOUN":
                head = token.head.lemma_.lower()
                if head not in ("year", "season", "election", "budget", "census", "summer", "winter", "spring"):
                    return True
        return False

    def sentence(self, start: int, end: int) -> tuple[int, int, Optional[object], str]:
        """The span of the sentence holding [start, end), its root token and its text."""
        doc, base, tokens = self.locate(start, end)
        if doc is None or not tokens or not doc.has_annotation("SENT_START"):
            s = self.text.rfind("\n", 0, start) + 1
            e = self.text.find("\n", end)
            e = len(self.text) if e < 0 else e
            s, e = _strip(self.text, s, e)
            return s, e, None, self.text[s:e]
        i = bisect.bisect_right(self.bases, start) - 1
        starts, sents = self._sentences_of(i)
        first = sents[max(0, bisect.bisect_right(starts, tokens[0].i) - 1)]
        last = sents[max(0, bisect.bisect_right(starts, tokens[-1].i) - 1)]
        s, e = _strip(self.text, first[0] + base, last[1] + base)
        s, e = min(s, start), max(e, end)
        return s, e, first[2], self.text[s:e]

    def _sentences_of(self, i: int) -> tuple[list[int], list[tuple[int, int, Token]]]:
        """Sentences of chunk i, once: first token indices and (start, end, root)."""
        if i not in self._sentences:
            doc = self.chunks[i][0]
            sents = list(doc.sents)
            self._sentences[i] = ([sent.start for sent in sents], [(sent.start_char, sent.end_char, sent.root) for sent in sents])
        return self._sentences[i]


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _select(cands: Iterable[_Cand]) -> list[_Cand]:
    """Settle overlaps: the longest candidate wins, then the earlier rule."""
    chosen: list[_Cand] = []
    for cand in sorted(cands, key=lambda c: (-(c.end - c.start), c.order, c.start)):
        if all(cand.end <= other.start or cand.start >= other.end for other in chosen):
            chosen.append(cand)
    chosen.sort(key=lambda c: c.start)
    return chosen


# -- Resolution -----------------------------------------------------------------------------


def _pick_month(month: int, pub: date, rel: Optional[str], direction: int) -> int:
    """The year of a month named without one."""
    if rel == "this":
        return pub.year
    if rel == "last":
        return pub.year if month < pub.month else pub.year - 1
    if rel == "next":
        return pub.year if month > pub.month else pub.year + 1
    if direction < 0:
        return pub.year if month <= pub.month else pub.year - 1
    if direction > 0:
        return pub.year if month >= pub.month else pub.year + 1
    return pub.year


def _pick_day(month: int, day: int, pub: date, direction: int) -> Optional[date]:
    """The date of a month and day named without a year."""
    def at(year: int) -> Optional[date]:
        try:
            return date(year, month, day)
        except ValueError:
            return None  # February 29 in a common year

    here = at(pub.year)
    if direction < 0 and (here is None or here > pub):
        return at(pub.year - 1) or here
    if direction > 0 and (here is None or here < pub):
        return at(pub.year + 1) or here
    return here


def _valid(year: int, month: int, day: int, weekday: int) -> bool:
    try:
        return date(year, month, day).weekday() == weekday
    except ValueError:
        return False


def _pick_weekday(wd: int, pub: date, rel: Optional[str], direction: int) -> date:
    back = (pub.weekday() - wd) % 7  # days since the latest such weekday (0: today)
    ahead = (wd - pub.weekday()) % 7
    if rel == "this":
        return pub - timedelta(days=pub.weekday()) + timedelta(days=wd)
    if rel == "last":
        return pub - timedelta(days=back or 7)
    if rel == "next":
        return pub + timedelta(days=ahead or 7)
    if direction < 0:
        return pub - timedelta(days=back)
    if direction > 0:
        return pub + timedelta(days=ahead)
    return pub - timedelta(days=back) if back <= ahead else pub + timedelta(days=ahead)


def _season(season: str, year: int) -> _Norm:
    first = SEASONS[season]
    code = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}[season]
    y2, m2 = _add_months(year, first, 2)
    return _Norm(f"{year:04d}-{code}", date(year, first, 1), _month_end(y2, m2), Granularity.QUARTER)


def _year_of(info: dict, pub: Optional[date]) -> tuple[Optional[int], bool]:
    """The year named by info['y'] or info['yrel'] ('this', 'last', 'next', 'the')."""
    if info.get("y") is not None:
        return info["y"], False
    yrel = info.get("yrel")
    if yrel is None or pub is None:
        return None, True
    return pub.year + {"this": 0, "the": 0, "last": -1, "next": 1}[yrel], True


def _resolve(cand: _Cand, pub: Optional[date], direction: int) -> Optional[_Norm]:
    kind, info = cand.kind, cand.info
    if kind == "vague":
        return _Norm(None, None, None, Granularity.VAGUE, False)
    if kind == "date":
        d, d2 = info["date"], info.get("date2")
        if d2 is not None:
            return _Norm(f"{d.isoformat()}/{d2.isoformat()}", d, d2, Granularity.DAY)
        return _day(d)
    if kind == "month_year":
        return _month(info["y"], info["m"])
    if kind == "year":
        return _year(info["y"])
    if kind == "year_range":
        y1, y2 = info["y1"], info["y2"]
        return _Norm(f"{y1:04d}/{y2:04d}", date(y1, 1, 1), date(y2, 12, 31), Granularity.YEAR)
    if kind == "decade":
        return _decade(info["y0"])
    if kind == "quarter":
        year, relative = _year_of(info, pub)
        if year is None:
            if pub is None:
                return _unresolved(Granularity.QUARTER)
            current = (pub.month - 1) // 3 + 1
            year = pub.year
            if direction < 0 and info["q"] > current:
                year -= 1
            elif direction > 0 and info["q"] < current:
                year += 1
        return _quarter(year, info["q"], relative)
    if kind == "half":
        year, relative = _year_of(info, pub)
        if year is None:
            return _unresolved(Granularity.YEAR)
        first = 1 if info["h"] == 1 else 7
        # No "half" granularity: a half-year is known to within its year.
        return _Norm(f"{year:04d}-H{info['h']}", date(year, first, 1), _month_end(year, first + 5), Granularity.YEAR, relative)
    if kind == "season":
        if info["y"] is not None:
            return _season(info["s"], info["y"])
        if pub is None:
            return _unresolved(Granularity.QUARTER)
        candidates = [_season(info["s"], y) for y in (pub.year - 2, pub.year - 1, pub.year, pub.year + 1)]
        rel = info["rel"]
        if rel == "last":
            found = [n for n in candidates if n.end < pub][-1]
        elif rel == "next":
            found = next(n for n in candidates if n.start > pub)
        else:
            found = next((n for n in candidates if n.start <= pub <= n.end), candidates[2])
        found.relative = True
        return found
    if kind == "md":
        if pub is None:
            return _unresolved(Granularity.DAY)
        d = _pick_day(info["m"], info["d"], pub, direction)
        if info.get("wd") is not None:  # "Monday, June 2": the nearest year where it is a Monday
            fits = [y for y in range(pub.year - 6, pub.year + 7) if _valid(y, info["m"], info["d"], info["wd"])]
            if fits and (d is None or d.weekday() != info["wd"]):
                d = date(min(fits, key=lambda y: abs(y - pub.year)), info["m"], info["d"])
        if d is None:
            return None
        if info.get("d2"):
            d2 = date(d.year, d.month, info["d2"])
            return _Norm(f"{d.isoformat()}/{d2.isoformat()}", d, d2, Granularity.DAY, True)
        return _day(d, True)
    if kind == "month":
        if pub is None:
            return _unresolved(Granularity.MONTH)
        return _month(_pick_month(info["m"], pub, info["rel"], direction), info["m"], True)
    if pub is None:
        return _unresolved(UNIT_GRANULARITY.get(info.get("unit", "day"), Granularity.DAY))
    if kind == "relday":
        return _day(pub + timedelta(days=info["off"]), True)
    if kind == "weekday":
        return _day(_pick_weekday(info["wd"], pub, info["rel"], direction), True)
    if kind == "weekend":
        rel = info["rel"]
        monday = pub - timedelta(days=pub.weekday())
        saturday = monday + timedelta(days=5)
        if rel == "last" or (rel is None and direction <= 0 and saturday > pub):
            saturday -= timedelta(days=7)
        elif rel == "next" and saturday <= pub:
            saturday += timedelta(days=7)
        iso_year, iso_week, _ = saturday.isocalendar()
        return _Norm(f"{iso_year:04d}-W{iso_week:02d}-WE", saturday, saturday + timedelta(days=1), Granularity.WEEK, True)
    if kind == "relunit":
        off = {"last": -1, "this": 0, "next": 1}[info["rel"]]
        return _unit_norm(info["unit"], _shift(pub, info["unit"], off * (10 if info["unit"] == "decade" else 1)), True)
    if kind == "ago":
        unit, n = info["unit"], info["n"]
        if unit == "decade":
            unit, n = "year", n * 10
        return _unit_norm(unit, _shift(pub, unit, n), True)
    if kind == "range":
        unit, n = info["unit"], info["n"]
        if unit == "decade":
            unit, n = "year", n * 10
        other = _shift(pub, unit, n * info["dir"])
        start, end = (other, pub) if info["dir"] < 0 else (pub, other)
        return _Norm(None, start, end, UNIT_GRANULARITY[unit], True)
    raise AssertionError(f"unknown kind {kind}")  # pragma: no cover


# -- The report -----------------------------------------------------------------------------


def time_report(text: str, chunks: list[tuple[Doc, int]], published: date | None) -> TimeReport:
    """Every time expression of ``text``, normalised against ``published`` when given.

    ``chunks`` are the parsed pieces of the article: (Doc, character offset of the Doc in
    ``text``), in order. Spans index into ``text``.
    """
    if isinstance(published, datetime):
        published = published.date()
    parsed = _Chunks(text, chunks)
    cands = []
    for order, cand in enumerate(_raw_candidates(text)):
        cand.order = order
        cand = _extend(cand, text)
        if cand.needs_mod and cand.mod is None:
            continue
        if cand.needs_trigger:
            core = cand.core
            by_entity = cand.kind != "month" and parsed.in_date_entity(*core) and not parsed.after_noun(core[0])
            if not (_has_trigger(cand, text) or by_entity):
                continue
            if cand.kind in ("year", "year_range") and parsed.counts_something(*core):
                continue
        if cand.kind in ("month", "weekday", "md") and parsed.in_name(*cand.core):
            continue
        cands.append(cand)

    expressions = []
    for cand in _select(cands):
        s_start, s_end, root, sentence_text = parsed.sentence(cand.start, cand.end)
        _, _, tokens = parsed.locate(cand.start, cand.end)
        verdict, top = _clause(tokens) if tokens and tokens[0].doc.has_annotation("DEP") else (None, None)
        if verdict is None:
            verdict = _sentence_clause(sentence_text, root if root is not None else top)
        forward, past = verdict.forward, verdict.past
        if cand.kind == "vague" and cand.vague_future:
            forward = True
        if cand.marker is not None and not past:
            forward = True
        if forward:
            past = False
        direction = 1 if forward else -1 if past else 0
        try:
            norm = _resolve(cand, published, direction)
            if norm is None:
                continue
            norm = _narrow(norm, cand.mod, published)
        except (OverflowError, ValueError):  # a publication date at the edge of the calendar
            norm = _unresolved(UNIT_GRANULARITY.get(cand.info.get("unit", "day"), Granularity.DAY))
        if norm.value is None and norm.granularity != Granularity.VAGUE and cand.kind != "range":
            norm.start = norm.end = None
        expressions.append(
            TimeExpression(
                text=text[cand.start : cand.end],
                span=(cand.start, cand.end),
                value=norm.value,
                start=norm.start,
                end=norm.end,
                granularity=norm.granularity,
                relative=norm.relative,
                deadline=cand.marker is not None,
                forward_looking=forward,
                past_tense=past,
                sentence=(s_start, s_end),
            )
        )
    return TimeReport(
        published=published,
        note=UNKNOWN_PUBLICATION_NOTE if published is None else None,
        expressions=expressions,
    )
