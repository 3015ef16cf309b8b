"""The browser's ``pattern`` attribute accepts exactly what the server's RE2 accepts,
for every pattern we pass on: checked in Chromium, on hand-picked and on random
patterns and answers (seeded, so every run is the same)."""

from __future__ import annotations

import random

import pytest

from pages.answer_patterns import answer_matches, browser_pattern

pytestmark = pytest.mark.browser

HAND_PICKED = [
    "[A-Za-z ]+",
    r"\+49 ?\d{2,5} \d+",
    r"[\w.\-]+@example\.com",
    "(?:ab|cd)*x",
    "[^0-9]{3}",
    "Grüße|straße",
    r"\(\d{3}\) \d{4}",
    "^(a+)+$",
    "a{2,}b?",
    "[!#%&,:;<=>@`~]+",
]
ANSWERS = [
    "",
    "a",
    "aa",
    "ab",
    "abx",
    "cdx",
    "x",
    "Grüße",
    "straße",
    "STRASSE",
    "Ada Lovelace",
    "+49 30 1234",
    "+4930 1234",
    "ada.l-x@example.com",
    "ada@exampleXcom",
    "(030) 1234",
    "abc",
    "12a",
    "a\u2028b",
    "a\tb",
    "é",
    "😀",
    "!#",
    "a-b",
    "_",
]
TOKENS = [
    "a", "b", "Z", "0", "9", "é", " ", "-", "_", "@", ",", "!",
    r"\d", r"\w", r"\D", r"\W", r"\.", r"\(", r"\)", r"\+", r"\*", r"\?", r"\/",
    "[ab]", "[^a]", "[a-z]", "[0-9_]", r"[\w.\-]", "[#%]", "[^ ]",
    "(", ")", "(?:", "|", "*", "+", "?", "{2}", "{1,3}", "{2,}", "*?", "+?", "^", "$",
]  # fmt: skip


def random_patterns(count: int) -> list[str]:
    chooser = random.Random(20261205)
    found: list[str] = []
    while len(found) < count:
        pattern = "".join(chooser.choice(TOKENS) for _ in range(chooser.randint(1, 7)))
        if browser_pattern(pattern):
            found.append(pattern)
    return found


def random_answers(count: int) -> list[str]:
    chooser = random.Random(7)
    alphabet = "ab Z09é-_@,!.()+*?/#%\u2028\t"
    return [
        "".join(chooser.choice(alphabet) for _ in range(chooser.randint(0, 5)))
        for _ in range(count)
    ]


JS_MATCHES = """([pairs]) => pairs.map(([pattern, answer]) =>
    new RegExp("^(?:" + pattern + ")$", "v").test(answer))"""


def test_the_browser_and_rE2_agree_on_every_pattern_passed_on(browser):
    patterns = [p for p in HAND_PICKED if browser_pattern(p)] + random_patterns(300)
    assert len(patterns) == len(HAND_PICKED) + 300
    answers = ANSWERS + random_answers(40)
    pairs = [(p, a) for p in patterns for a in answers]
    page = browser.new_page()
    try:
        in_browser = page.evaluate(JS_MATCHES, [pairs])
    finally:
        page.close()
    differ = [
        (p, a, b) for (p, a), b in zip(pairs, in_browser, strict=True) if answer_matches(p, a) != b
    ]
    assert differ == []


def test_the_pattern_attribute_of_an_input_is_read_as_the_server_reads_it(browser):
    page = browser.new_page()
    try:
        page.set_content('<input id="code" pattern="[\\w.\\-]+@example\\.com">')
        for answer in ("ada.l-x@example.com", "ada@exampleXcom", "a b@example.com"):
            page.fill("#code", answer)
            mismatch = page.eval_on_selector("#code", "e => e.validity.patternMismatch")
            assert mismatch is not answer_matches(r"[\w.\-]+@example\.com", answer), answer
    finally:
        page.close()


def test_the_patterns_left_out_really_mean_something_else_in_the_browser(browser):
    """The check above can see a difference: these are left out for a reason."""
    pairs = [("a.b", "a\u2028b"), (r"a\sb", "a\u2028b")]
    assert all(not browser_pattern(p) for p, _ in pairs)
    page = browser.new_page()
    try:
        in_browser = page.evaluate(JS_MATCHES, [pairs])
    finally:
        page.close()
    assert in_browser == [not answer_matches(p, a) for p, a in pairs]
