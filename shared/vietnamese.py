"""Vietnamese text helpers: diacritic-insensitive folding and Vietnamese alphabetical order.

Collation choices (documented, deliberately simple and deterministic):
- Letters follow the Vietnamese alphabet a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y,
  with the Latin letters f j w z placed where they are in the Latin alphabet.
- Text is compared word (syllable) by word, as dictionaries do ("ba hoa" < "bà"): within a
  word letters decide first, then the tone mark, in the dictionary order used by
  Từ điển tiếng Việt (Hoàng Phê) and the Unicode CLDR `vi` tailoring:
  ngang (none) < huyền (`) < hỏi (?) < ngã (~) < sắc (') < nặng (.).
  The other order in use (none < sắc < huyền < hỏi < ngã < nặng, the typing order) can be
  chosen by reordering `TONE_ORDER`. Because tone is per word, "hòa" and "hoà" sort equal.
- Case is the last key, over the whole text: lower case before upper case.
- Digits sort before letters, punctuation and symbols before digits, and letters outside
  the Vietnamese alphabet after it (by code point).
Input may be NFC or NFD; both give the same keys.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)}

GRAVE, HOOK_ABOVE, TILDE, ACUTE, DOT_BELOW = "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"
TONE_ORDER: tuple[str, ...] = ("", GRAVE, HOOK_ABOVE, TILDE, ACUTE, DOT_BELOW)
_TONE_RANK = {mark: rank for rank, mark in enumerate(TONE_ORDER) if mark}

_PUNCTUATION, _DIGIT, _LETTER, _OTHER_LETTER = 0, 1, 2, 3
_CLASS_WIDTH = 0x110000  # one band of code points per character class

WordKey = tuple[tuple[int, ...], tuple[int, ...]]  # (letters, tones) of one word
SortKey = tuple[tuple[WordKey, ...], tuple[tuple[int, ...], ...]]  # (words, case per word)
NameSortKey = tuple[SortKey, SortKey, SortKey]


def fold(text: str) -> str:
    """Fold for search: drop diacritics (đ→d), casefold and collapse whitespace."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return " ".join(unicodedata.normalize("NFC", stripped).casefold().split())


def folded_contains(haystack: str, needle: str) -> bool:
    """Tell whether `needle` occurs in `haystack` ignoring diacritics, case and spacing."""
    return fold(needle) in fold(haystack)


def _clusters(word: str) -> list[tuple[str, list[str]]]:
    """Split an NFD word into (base character, combining marks) clusters."""
    clusters: list[tuple[str, list[str]]] = []
    for ch in unicodedata.normalize("NFD", word):
        if unicodedata.combining(ch) and clusters:
            clusters[-1][1].append(ch)
        else:
            clusters.append((ch, []))
    return clusters


def _char_code(letter: str) -> int:
    """Primary weight of one (tone-less, lower-case, NFC) character."""
    if letter in _LETTER_RANK:
        return _LETTER * _CLASS_WIDTH + _LETTER_RANK[letter]
    if letter.isdigit() and len(letter) == 1:
        return _DIGIT * _CLASS_WIDTH + unicodedata.digit(letter, 0)
    if letter.isalpha():
        return _OTHER_LETTER * _CLASS_WIDTH + ord(letter[0])
    return _PUNCTUATION * _CLASS_WIDTH + ord(letter[0])


@lru_cache(maxsize=1 << 16)  # a language of ~7,000 syllables: names and titles repeat their words
def _word_keys(word: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Primary, tone and case keys of one word (immutable: one key object is shared by every caller)."""
    if word.isascii():  # no marks to split off (digits, codes, Latin words): the same keys, without normalising
        lower = word.lower()
        return (tuple(_char_code(ch) for ch in lower), (),
                tuple(1 if ch != low else 0 for ch, low in zip(word, lower, strict=True)))
    return _marked_word_keys(word)


def _marked_word_keys(word: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """The keys of any word, its letters split from their marks."""
    primary: list[int] = []
    tones: list[int] = []
    cases: list[int] = []
    for base, marks in _clusters(word):
        tones.extend(_TONE_RANK[m] for m in marks if m in _TONE_RANK)
        kept = "".join(m for m in marks if m not in _TONE_RANK)
        letter = unicodedata.normalize("NFC", base + kept)
        lower = letter.lower()
        primary.append(_char_code(lower))
        cases.append(1 if letter != lower else 0)
    return tuple(primary), tuple(tones), tuple(cases)


def sort_key(text: str) -> SortKey:
    """Sort key for any string in Vietnamese order: word by word (letters, tone), then case."""
    keys = [_word_keys(word) for word in text.split()]
    return tuple((k[0], k[1]) for k in keys), tuple(k[2] for k in keys)


def split_name(full_name: str) -> tuple[str, str, str]:
    """Split a Vietnamese full name into (family name, middle names, given name)."""
    words = full_name.split()
    if not words:
        return "", "", ""
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


def sort_key_name(full_name: str) -> NameSortKey:
    """Sort key for a person's name: given name first, then family name, then middle names."""
    family, middle, given = split_name(full_name)
    return sort_key(given), sort_key(family), sort_key(middle)
