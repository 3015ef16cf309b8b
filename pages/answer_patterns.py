"""The ``pattern`` of an additional field: compiled and matched by RE2, never by Python's
``re``.

An organizer writes the pattern and a guest writes the answer, so a backtracking engine
would let one page with ``^(a+)+$`` and a 40-character answer hold a web worker for
minutes. RE2 matches in time linear in the answer, whatever the pattern, and refuses what
it cannot do that way (backreferences, lookaround): such a pattern is refused when it is
saved (``pattern_problem``), so a stored pattern always compiles.

The browser gets the same pattern as its ``pattern`` attribute only when it means the
same thing there (``browser_pattern``): HTML compiles ``^(?:pattern)$`` as a JavaScript
regular expression with the ``v`` flag, whose syntax and classes differ from RE2's in
places (``\\s`` is Unicode-wide in JavaScript, ``.`` stops at more line ends, ``[a-z-]``
is an error with ``v``, ``(?i)`` does not exist). Only a small, plainly portable subset
is passed on; for anything else the attribute is left out and the server decides alone.
"""

from __future__ import annotations

from functools import lru_cache

import re2

MAX_PATTERN_LENGTH = 200
# RE2's memory budget for one compiled pattern (its default is 8 MiB); a pattern that
# needs more is refused at save time rather than failing at match time.
MAX_PATTERN_MEMORY = 8 << 20


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # a refused pattern is the organizer's typo, not our error
    options.max_mem = MAX_PATTERN_MEMORY
    return options


@lru_cache(maxsize=512)
def _compiled(pattern: str):
    return re2.compile(pattern, _options())


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be stored (None when it can)."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"must be at most {MAX_PATTERN_LENGTH} characters"
    try:
        _compiled(pattern)
    except UnicodeEncodeError:
        return "is not a regular expression RE2 can match (it holds a lone surrogate)"
    except re2.error as exc:
        problem = exc.args[0] if exc.args else exc
        if isinstance(problem, bytes):
            problem = problem.decode(errors="replace")
        return f"is not a regular expression RE2 can match in linear time ({problem})"
    return None


def answer_matches(pattern: str, answer: str) -> bool:
    """Whether the whole ``answer`` matches ``pattern`` (in time linear in the answer).
    A pattern stored before patterns were checked and that RE2 refuses matches nothing."""
    try:
        return _compiled(pattern).fullmatch(answer) is not None
    except (re2.error, UnicodeEncodeError):  # RE2 reads UTF-8: a lone surrogate is none
        return False


# What may stand for itself, unescaped, outside a character class in both engines.
_PLAIN_OUTSIDE = frozenset(" _-@,'\"!#%&:;<=>~`/")
# ... and inside a character class (JavaScript's ``v`` flag reserves ( ) [ ] { } / - | \
# there, and doubles of other punctuation, which are refused below).
_PLAIN_INSIDE = frozenset(" _@,'\"!#%&:;<=>~`.+*?$^")
# Punctuation that may follow a backslash in both engines, outside and inside a class.
_ESCAPABLE_OUTSIDE = frozenset("^$\\.*+?()[]{}|/")
_ESCAPABLE_INSIDE = _ESCAPABLE_OUTSIDE | frozenset("-&!#%,:;<=>@`~")
_CLASS_ESCAPES = frozenset("dDwW")


def _literal(char: str) -> bool:
    return char.isalnum() or (not char.isascii() and char.isprintable())


def browser_pattern(pattern: str) -> str:
    """``pattern`` when a browser's ``pattern`` attribute would accept exactly the answers
    the server accepts, else "" (the attribute is then left out)."""
    if not pattern or pattern_problem(pattern) is not None:
        return ""
    return pattern if _portable(pattern) else ""


def _portable(pattern: str) -> bool:
    i, n, depth = 0, len(pattern), 0
    quantifiable = False
    while i < n:
        char = pattern[i]
        if char == "\\":
            if i + 1 >= n:
                return False
            following = pattern[i + 1]
            if following not in _CLASS_ESCAPES and following not in _ESCAPABLE_OUTSIDE:
                return False
            i, quantifiable = i + 2, True
        elif char == "[":
            end = _class_end(pattern, i)
            if end is None:
                return False
            i, quantifiable = end + 1, True
        elif char == "(":
            if pattern.startswith("(?:", i):
                i += 3
            elif pattern.startswith("(?", i):
                return False  # flags, named groups, lookaround: not the same in both
            else:
                i += 1
            depth, quantifiable = depth + 1, False
        elif char == ")":
            if depth == 0:
                return False
            i, depth, quantifiable = i + 1, depth - 1, True
        elif char in "*+?":
            if not quantifiable:
                return False
            i += 1
            if i < n and pattern[i] == "?":
                i += 1  # lazy: the same set of whole matches
            quantifiable = False
        elif char == "{":
            end = _repeat_end(pattern, i)
            if end is None or not quantifiable:
                return False
            i, quantifiable = end + 1, False
            if i < n and pattern[i] == "?":
                i += 1
        elif char in "^$|":
            i, quantifiable = i + 1, False
        elif _literal(char) or char in _PLAIN_OUTSIDE:
            i, quantifiable = i + 1, True
        else:
            return False  # ".", "]", "}" and the rest: different or an error somewhere
    return depth == 0


def _repeat_end(pattern: str, start: int) -> int | None:
    """The index of the ``}`` closing a well-formed ``{n}``, ``{n,}`` or ``{n,m}``."""
    end = pattern.find("}", start)
    if end == -1:
        return None
    low, comma, high = pattern[start + 1 : end].partition(",")
    if not low.isdigit() or not low.isascii() or (high and not (high.isdigit() and high.isascii())):
        return None
    if int(low) > 1000 or (high and int(high) > 1000):
        return None
    return end


def _class_end(pattern: str, start: int) -> int | None:
    """The index of the ``]`` closing a portable character class opened at ``start``."""
    i = start + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    previous = ""
    members = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "]":
            return i if members else None
        if char == "\\":
            if i + 1 >= len(pattern):
                return None
            following = pattern[i + 1]
            if following not in _CLASS_ESCAPES and following not in _ESCAPABLE_INSIDE:
                return None
            i, previous, members = i + 2, "", members + 1
            continue
        if i + 2 < len(pattern) and pattern[i + 1] == "-" and pattern[i + 2] != "]":
            low, high = char, pattern[i + 2]
            if not (low.isascii() and low.isalnum() and high.isascii() and high.isalnum()):
                return None
            if low > high:
                return None
            i, previous, members = i + 3, "", members + 1
            continue
        if _literal(char):
            i, previous, members = i + 1, "", members + 1
            continue
        if char not in _PLAIN_INSIDE or char == previous:
            return None  # reserved with ``v``, or a doubled punctuator (``&&``, ``..``)
        if char == "^" and i == start + 1:
            return None
        i, previous, members = i + 1, char, members + 1
    return None
