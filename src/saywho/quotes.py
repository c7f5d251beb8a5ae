"""A fast, pure-Python, character-level scanner for quotation marks.

``find_quotes(text)`` returns every quotation (and scare-quoted term) it can pair up in a
news article, without any NLP model. It knows these styles::

    double        "..."            curly-double  “...”
    single        '...'            curly-single  ‘...’
    low           „...“ / „...”    low-single    ‚...‘ / ‚...’
    guillemet     «...» / »...«

How it works
------------
1. Candidates. The unambiguous marks “ ” „ « » are always candidates. The ambiguous
   marks " ' ‘ ’ ‚ are candidates only in context:

   * opening: preceded by the start of the text, whitespace, an opening bracket, a dash
     or another opening mark, and followed by a non-space character (not the same mark);
   * closing: preceded by a non-space character and followed by whitespace, punctuation,
     a closing bracket, a quote mark or the end of the text -- or preceded by , . ! ? …

   So a ' or ’ between two letters (don't, nation's, Belarus's) is neither: it is an
   apostrophe. A few elisions are excluded explicitly ('90s, rock 'n' roll, 'em, 'tis).
   A plural possessive (the Russians' weapons) is a closing candidate only: it never
   opens a quote, and it closes one only when an opening mark of its style is pending.
   These rules live in regular expressions, so that the tests run in C.

2. One pass over the opening candidates, in text order, with a stack of the quotes that
   are open around the current position. For each opening mark, one bounded regex search
   looks ahead for the closing mark. It must come

   * before the next opening candidate of the same style (a style never nests inside
     itself: “a “b” c” reads as an unclosed quote that holds “b”);
   * before the end of the enclosing quote, within ``MAX_SPAN`` characters;
   * in the same paragraph or the next one (a quote may cross one line break), and in
     the next one only when that paragraph does not itself open with a quote mark.

   For the apostrophe-like styles (' ‘ ‚) a candidate that looks like a plural possessive
   (``s'`` followed by a word) is weak: a later, stronger candidate wins (``'The Russians'
   arms are ours,' he said``), and a weak one is used only as a last resort, in the
   quote's own paragraph.

   A quote that is not closed ends at the end of its paragraph (minus trailing
   whitespace) with ``close=None``, and the marks inside it are scanned as nested
   quotes. An unclosed apostrophe-like mark is ignored instead -- it is more likely an
   apostrophe than a quote -- unless the next paragraph opens with the same style (the
   continuation convention, see ``Quote.continued``).

3. Each closed quote of one to three capitalised words embedded in a sentence is a
   scare-quoted term (``kind='term'``), see ``_kind``.

Cost: each look-ahead stops at the next mark of its own style, so no stretch of text is
searched by more than one opening mark per style, and the scan jumps over runs of marks
with no word nearby and over quotes nested deeper than ``MAX_DEPTH``. The time is linear
in the length of the text plus about 1 µs per opening mark and 2-3 µs per quote found.

Paragraphs are lines separated by ``"\\n"`` (a ``"\\r"`` before it is whitespace like any
other). Blank lines are not paragraphs: "the next paragraph" is the next line with a
non-space character on it, so articles with blank lines between paragraphs work the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Literal

__all__ = ["MAX_DEPTH", "MAX_SPAN", "STYLES", "Quote", "find_quotes"]

#: Longest distance, in characters, from an opening mark to its closing mark. It also caps
#: how far an unclosed quote reaches, so that one stray mark cannot swallow an article
#: that has no line breaks at all.
MAX_SPAN = 2000

#: Opening marks nested deeper than this are ignored (keeps adversarial input cheap).
MAX_DEPTH = 6

# An opening mark with no letter or digit within this many characters after it is ignored:
# no quote starts with a longer run of marks, spaces and punctuation.
_NEAR = 32

# Restarting the scan further on costs about as much as scanning a few hundred characters.
_LONG_SKIP = 256

#: The style names a ``Quote`` can carry.
STYLES = ("double", "curly-double", "single", "curly-single", "guillemet", "low", "low-single")


@dataclass(frozen=True, slots=True)
class Quote:
    """A pair of quotation marks, or an opening mark left unclosed, found in a text.

    All positions are Python ``str`` indices into the scanned text. Every mark is one
    character long, so ``start == open + 1``, and ``text[start:end]`` is the content.
    """

    open: int  # index of the opening mark
    close: int | None  # index of the closing mark; None when the quote is not closed
    start: int  # content start: open + len(opening mark)
    end: int  # content end: close, or (unclosed) end of paragraph minus trailing whitespace
    style: str  # one of STYLES
    kind: Literal["quotation", "term"]  # 'term': scare quotes around a name or term
    depth: int  # 0 for a top-level quote, 1 for a quote inside another, ...
    continued: bool  # opens a paragraph, continuing the previous paragraph's unclosed quote

    @property
    def closed(self) -> bool:
        return self.close is not None


# ---------------------------------------------------------------------------------------
# Candidate patterns
# ---------------------------------------------------------------------------------------

#: Every quotation mark saywho knows, as single characters.
QUOTE_CHARS = "\"'“”‘’«»„‚‹›"
#: The double ones: never an apostrophe, so never part of a word at a quotation's edge.
DOUBLE_QUOTE_CHARS = frozenset("\"“”«»„")
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015"
#: The marks that can open a quotation.
OPENING_MARKS = "\"'\u2018\u201a\u201c\u201e\u00ab\u00bb"  # " ' ‘ ‚ “ „ « »
_ALL_MARKS = OPENING_MARKS + "\u2019\u201d"  # ... and ’ ”
_ANY_MARK = re.compile(f"[{_ALL_MARKS}]")

# What may stand right before an ambiguous opening mark (the start of the text may too).
_OPEN_BEFORE = f"\\s(\\[{{<{_DASHES}{OPENING_MARKS}"
# What may stand right after an ambiguous closing mark (the end of the text may too).
_CLOSE_AFTER = f"\\s.,;:!?\u2026)\\]}}>/*{_DASHES}{_ALL_MARKS}"
# Punctuation that ends quoted speech: a mark right after it closes even before a letter.
_PUNCT_BEFORE = ",.!?\u2026"
# Elisions written with a leading apostrophe: '90s, '08, rock 'n' roll, 'em, 'tis, 'twas.
_ELISION = "(?!\\d\\d(?:s|(?!\\w))|n['\u2018\u2019]?(?!\\w)|(?:em|tis|twas)(?!\\w))"


def _opening(mark: str, elision: bool = False) -> str:
    # The mark comes first so that the regex engine can skip quickly from mark to mark;
    # a two-character look-behind then checks what precedes it ("(?<![^X]m)" also holds
    # at the start of the text). A doubled mark ('' or "") opens nothing.
    return f"{mark}(?<![^{_OPEN_BEFORE}]{mark})(?=\\S)(?!{mark})" + (_ELISION if elision else "")


def _closing(mark: str) -> str:
    return (
        f"{mark}(?<=\\S{mark})"  # not at the start of the text, not after a space
        f"(?<!\\s['\u2018\u2019]n{mark})"  # not the second mark of rock 'n' roll
        f"(?:(?<=[{_PUNCT_BEFORE}]{mark})|(?![^{_CLOSE_AFTER}]))"
    )


# Internal style ids. Both guillemet directions share the public name "guillemet".
_DOUBLE, _CURLY, _LOW, _SINGLE, _CURLY_SINGLE, _LOW_SINGLE, _GUIL, _GUIL_REV = range(8)
_NAMES = (
    "double", "curly-double", "low", "single", "curly-single", "low-single",
    "guillemet", "guillemet",
)  # fmt: skip
_SIDS_BY_NAME: dict[str, tuple[int, ...]] = {}
for _sid, _name in enumerate(_NAMES):
    _SIDS_BY_NAME[_name] = _SIDS_BY_NAME.get(_name, ()) + (_sid,)

# Styles whose marks double as apostrophes: weak closing candidates exist, and an
# unclosed opening mark is dropped rather than reported.
_APOSTROPHE_LIKE = tuple(sid in (_SINGLE, _CURLY_SINGLE, _LOW_SINGLE) for sid in range(8))

# Opening candidates, one pattern per style (every mark opens at most one style).
_OPEN_PATTERNS = (
    _opening('"'),
    "\u201c",  # “
    "\u201e",  # „
    _opening("'", elision=True),
    _opening("\u2018", elision=True),  # ‘ (also typed by word processors for '90s)
    _opening("\u201a"),  # ‚ (looks like a comma, so only in context)
    "\u00ab",  # «
    "\u00bb",  # »
)
_OPEN_RES = tuple(re.compile(p) for p in _OPEN_PATTERNS)


def _one_of(*patterns: str) -> str:
    return patterns[0] if len(patterns) == 1 else "(?:" + "|".join(patterns) + ")"


# Closing candidates, per style.
_CLOSE_PATTERNS = (
    _closing('"'),
    "\u201d",  # ”
    "[\u201c\u201d]",  # “ or ”
    _closing("'"),
    _closing("\u2019"),  # ’
    _one_of(_closing("\u2018"), _closing("\u2019")),  # ‘ or ’
    "\u00bb",  # »
    "\u00ab",  # «
)
# The look-ahead of one style: its closing candidates (group 1) and opening candidates
# (group 2), in text order. Closing comes first, so a " that can do both closes.
_AHEAD_RES = tuple(
    re.compile(f"({c})|({o})") for c, o in zip(_CLOSE_PATTERNS, _OPEN_PATTERNS, strict=True)
)


def _worth_scanning(sid: int) -> str:
    """The opening pattern of style `sid` as the main scan uses it.

    An apostrophe-like opening mark whose next mark of the same style on the line is
    another opening mark cannot close, so it would be dropped as an apostrophe anyway.
    Excluding it right in the regex (in C) keeps texts full of stray apostrophes fast.
    """
    opening = _OPEN_PATTERNS[sid]
    if not _APOSTROPHE_LIKE[sid]:
        return opening
    closing = _CLOSE_PATTERNS[sid]
    return f"{opening}(?!(?:(?!{closing}|{opening})[^\\n])*(?!{closing}){opening})"


# All opening marks, in text order, in one alternation. Each branch starts with its mark
# (a literal), so the regex engine can jump from mark to mark without trying the branches
# everywhere, and ends with an empty group: group i + 1 matched means style i.
_ALL_OPEN_RE = re.compile("|".join(f"{_worth_scanning(sid)}()" for sid in range(8)))

# News text mixes straight and curly marks of one family ("“no evidence\"", "'yes’").
# When a quote finds no closing mark of its own style in its paragraph, the other marks
# of its family may close it: a double mark closes with any double closing mark, a single
# one with any single closing mark. Own style first, so nesting ("... “the end” ...")
# still pairs as written.
_FAMILY_CLOSE = {
    _DOUBLE: _one_of(_closing('"'), "\u201d"),
    _CURLY: _one_of("\u201d", _closing('"')),
    _LOW: _one_of("[\u201c\u201d]", _closing('"')),
    _SINGLE: _one_of(_closing("'"), _closing("\u2019")),
    _CURLY_SINGLE: _one_of(_closing("\u2019"), _closing("'")),
}
_LOOSE_AHEAD_RES = tuple(
    re.compile(f"({_FAMILY_CLOSE[sid]})|({_OPEN_PATTERNS[sid]})") if sid in _FAMILY_CLOSE else None
    for sid in range(8)
)

# Per style, indexed by the group number in _ALL_OPEN_RE (style id + 1): the look-ahead
# pattern, the public name, whether the marks double as apostrophes, and the family
# look-ahead (or None).
_STYLE_INFO = (None,) + tuple(
    (_AHEAD_RES[sid], _NAMES[sid], _APOSTROPHE_LIKE[sid], _LOOSE_AHEAD_RES[sid]) for sid in range(8)
)

_NON_SPACE = re.compile(r"\S")
_NEXT_WORD = re.compile(r"[^\S\n]*(\w+)")
_PREV_WORD = re.compile(r"(\w+)[^\S\n]*\Z")  # \Z: "$" would also match before a "\n"

# Words that introduce speech: a short quote right after one is a quotation, not a term
# ("he said 'No'"), and one right before a weak closing candidate makes it strong.
_SPEECH_WORDS = frozenset(
    "said says say told tells asked asks added adds replied replies answered wrote writes "
    "warned insisted declared stated shouted tweeted".split()
)

_ALNUM = re.compile(r"[^\W_]")  # a letter or a digit

_TERM_MAX_WORDS = 3
_END_PUNCT = ",.!?\u2026;:"


def _quote_factory() -> Callable[..., Quote]:
    """A faster ``Quote(...)`` for the scanner's inner loop.

    The ``__init__`` of a frozen dataclass goes through ``object.__setattr__`` for every
    field; setting the slots through their descriptors gives the very same object in
    about half the time, which matters for texts with millions of marks.
    """
    new = object.__new__
    setters = [getattr(Quote, f.name).__set__ for f in fields(Quote)]
    s_open, s_close, s_start, s_end, s_style, s_kind, s_depth, s_cont = setters

    def make(open_, close, start, end, style, kind, depth, continued):  # noqa: ANN001, ANN202
        q = new(Quote)
        s_open(q, open_)
        s_close(q, close)
        s_start(q, start)
        s_end(q, end)
        s_style(q, style)
        s_kind(q, kind)
        s_depth(q, depth)
        s_cont(q, continued)
        return q

    return make


_make_quote = _quote_factory()


# ---------------------------------------------------------------------------------------
# Scanner
# ---------------------------------------------------------------------------------------


def find_quotes(text: str) -> list[Quote]:
    """Return the quotes in ``text``, sorted by the position of their opening mark.

    Never raises on a ``str``: unbalanced marks give unclosed quotes or are ignored. A
    quote whose content has no letter or digit (``“...”``, a mark at the end of a line)
    is not reported, though its marks are still paired up.
    """
    if not text or _ANY_MARK.search(text) is None:
        return []
    n = len(text)

    quotes: list[Quote] = []
    append = quotes.append
    make = _make_quote
    has_alnum = _ALNUM.search
    styles = _STYLE_INFO
    max_span = MAX_SPAN
    # The quotes open around the current position, innermost last, as (limit, close):
    # marks at or after `limit` are outside the quote; `close` is the index of its
    # closing mark, -1 if it is unclosed.
    stack: list[tuple[int, int]] = []
    # Styles of the unclosed quotes that run to the end of their paragraph, and where the
    # next paragraph starts: a quote of one of these styles opening there is `continued`.
    open_at_end: set[str] = set()
    open_at_end_next = -1
    # The paragraph of the current mark (p_) and the next one (q_, all -1 if there is
    # none): first and last-plus-one non-space characters, and the index of the "\n"
    # that ends the line (n for the last line). Computed lazily, once per paragraph that
    # holds an opening mark.
    p_first = p_end = 0
    p_line_end = -1
    q_first = q_end = q_line_end = -1
    reach = 0  # where closing marks may be looked for: p_end or q_end
    non_space = _NON_SPACE.search
    find = text.find

    # The scan jumps ahead over the inside of quotes it has no use for, and over long
    # runs of marks and punctuation; restarting the iterator is how it jumps.
    resume = 0
    while resume < n:
        scan_from = n  # where to go on if the loop breaks
        for m in _ALL_OPEN_RE.finditer(text, resume):
            pos = m.start()

            if has_alnum(text, pos + 1, pos + 1 + _NEAR) is None:
                # No word close by: not a quote. Skip the whole run of non-words at once.
                w = has_alnum(text, pos + 1)
                if w is None:
                    break
                if w.start() - _NEAR - pos > _LONG_SKIP:
                    scan_from = w.start() - _NEAR
                    break
                continue

            if stack and pos >= stack[-1][0]:
                consumed = False  # this mark already closed a quote (“ closes „, » closes «)
                while stack and pos >= stack[-1][0]:
                    if stack.pop()[1] == pos:
                        consumed = True
                if consumed:
                    continue
            depth = len(stack)
            if depth >= MAX_DEPTH:
                # Too deep: skip every mark up to the end of the innermost quote at once.
                scan_from = stack[-1][0]
                break

            if pos > p_line_end:  # a new paragraph
                if pos < q_line_end:
                    p_first, p_end, p_line_end = q_first, q_end, q_line_end
                else:
                    p_first, p_end, p_line_end = _paragraph_at(text, pos)
                q = non_space(text, p_line_end)
                if q is None:
                    q_first = q_end = q_line_end = -1
                else:
                    q_first = q.start()
                    q_line_end = find("\n", q_first)
                    if q_line_end < 0:
                        q_line_end = n
                    q_end = q_line_end
                    while text[q_end - 1].isspace():
                        q_end -= 1
                # A quote may run on into the next paragraph, unless that one opens with
                # a quote mark of its own (then this one ends with its paragraph).
                reach = q_end if q_first >= 0 and text[q_first] not in OPENING_MARKS else p_end
            limit = stack[-1][0] if stack else n
            ahead, name, apostrophe_like, loose = styles[m.lastindex]  # type: ignore[index]

            # -- Bounded look-ahead for the closing mark, below `hard`: the first
            # closing candidate before the next opening candidate of the style, in this
            # paragraph or, within `reach`, the next one.
            hard = pos + max_span + 1
            if limit < hard:
                hard = limit
            if reach < hard:
                hard = reach
            # A few characters more, so that look-aheads near `hard` see the real text.
            stop = hard + 8 if hard + 8 < n else n
            close = -1
            c = ahead.search(text, pos + 1, stop)
            if c is not None and c.lastindex == 1:
                close = c.start()
                if close >= hard:
                    close = -1
                elif apostrophe_like and text[close - 1] in "sS" and _is_weak_close(text, close):
                    # Maybe a plural possessive: look for a better candidate.
                    close = _pick_single_close(text, ahead, close, hard, stop, p_end)
            if close < 0 and loose is not None:
                # No mark of its own style: a mark of its family, in this paragraph only.
                loose_hard = hard if hard < p_end + 1 else p_end + 1
                c = loose.search(text, pos + 1, stop)
                if c is not None and c.lastindex == 1 and c.start() < loose_hard:
                    close = c.start()

            continued = pos == open_at_end_next and name in open_at_end

            if close >= 0:
                stack.append((close, close))
                if has_alnum(text, pos + 1, close) is None:
                    # Nothing worth reporting inside; skip a long stretch of it at once.
                    if close - pos > _LONG_SKIP:
                        scan_from = close
                        break
                    continue
                first = text[pos + 1]
                if first.isupper() or first.isdigit() or first.isspace():
                    kind = _kind(text, pos, close)
                else:
                    kind = "quotation"  # the common case, without a call
                append(make(pos, close, pos + 1, close, name, kind, depth, continued))
                continue

            # -- Not closed: the quote ends with its paragraph.
            end = p_end
            if limit < end:
                end = limit
            if pos + 1 + max_span < end:
                end = pos + 1 + max_span
            runs_to_end = end == p_end
            if not runs_to_end:
                while end > pos + 1 and text[end - 1].isspace():
                    end -= 1
            if apostrophe_like and not (
                runs_to_end and q_first >= 0 and _opens_style(text, q_first, name)
            ):
                continue  # most likely an apostrophe: ignore it
            stack.append((end, -1))
            if has_alnum(text, pos + 1, end) is None:
                # Nothing worth reporting inside; skip a long stretch of it at once.
                if end - pos > _LONG_SKIP:
                    scan_from = end
                    break
                continue
            append(make(pos, None, pos + 1, end, name, "quotation", depth, continued))
            if runs_to_end and q_first >= 0:
                if open_at_end_next != q_first:
                    open_at_end_next = q_first
                    open_at_end = set()
                open_at_end.add(name)
        resume = scan_from

    return quotes


def _paragraph_at(text: str, pos: int) -> tuple[int, int, int]:
    """(first, end, line_end) of the line holding the non-space character at `pos`."""
    start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    if line_end < 0:
        line_end = len(text)
    line = text[start:line_end]
    return start + len(line) - len(line.lstrip()), start + len(line.rstrip()), line_end


def _opens_style(text: str, pos: int, name: str) -> bool:
    """Whether an opening candidate of the style called `name` stands at `pos`."""
    return any(_OPEN_RES[sid].match(text, pos) for sid in _SIDS_BY_NAME[name])


def _pick_single_close(
    text: str, ahead: re.Pattern[str], lo: int, hard: int, stop: int, own_end: int
) -> int:
    """Choose the closing mark for an apostrophe-like opening mark at ``lo - 1``; -1 if none.

    The candidates are the closing matches of `ahead` in ``[lo, hard)`` before its first
    opening match. The first one that is not weak wins; failing that, the first weak one
    in the opening mark's own paragraph (before `own_end`): a weak candidate never closes
    across a line break.
    """
    weak = -1
    for m in ahead.finditer(text, lo, stop):
        c = m.start()
        if c >= hard or m.lastindex == 2:
            break
        if not _is_weak_close(text, c):
            return c
        if weak < 0 and c < own_end:
            weak = c
    return weak


def _is_weak_close(text: str, c: int) -> bool:
    """Whether the closing candidate at `c` reads like a plural possessive.

    ``the Russians' weapons``: an ``s`` before the mark, spaces and a word after it. The
    candidate is strong again when that word introduces speech (``... the Russians'
    said Smith`` closes a quote).
    """
    if text[c - 1] not in "sS" or c + 1 >= len(text) or text[c + 1] not in " \t\u00a0":
        return False
    m = _NEXT_WORD.match(text, c + 1)
    return m is not None and m.group(1).lower() not in _SPEECH_WORDS


def _kind(text: str, open_: int, close: int) -> Literal["quotation", "term"]:
    """Tell a scare-quoted term from a quotation (for closed quotes).

    A term is one to three words that all start with an uppercase letter or a digit (a
    name: 'Oreshnik', “Operation Storm”), with none of , . ! ? … ; : at its end, right
    after a word of the same sentence that is not a speech verb: the new 'Oreshnik'
    missile. Lowercase fragments (called the plan “a disaster”) stay quotations, since
    they are someone's words rather than a name; so do quotes that open a sentence or
    follow a colon or comma ('Yes,' he said / he said, 'No').
    """
    first = text[open_ + 1]
    if not (first.isupper() or first.isdigit() or first.isspace()) or close - open_ > 80:
        return "quotation"  # cheap exits for the common case
    content = text[open_ + 1 : close]
    words = content.split()
    if not 1 <= len(words) <= _TERM_MAX_WORDS or content.rstrip()[-1] in _END_PUNCT:
        return "quotation"
    for w in words:
        if not (w[0].isupper() or w[0].isdigit()):
            return "quotation"
    m = _PREV_WORD.search(text, max(0, open_ - 40), open_)
    if m is None or m.group(1).lower() in _SPEECH_WORDS:
        return "quotation"
    return "term"
