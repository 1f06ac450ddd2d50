"""Education and political-theory levels in words, so findings never show a level's code."""

from __future__ import annotations

LEVEL_WORDS: dict[str, tuple[str, str]] = {
    "education": ("trình độ chuyên môn", "education"),
    "political_theory": ("trình độ lý luận chính trị", "political theory"),
}
WORDS: dict[str, str] = {
    "none": "chưa có", "elementary": "sơ cấp", "intermediate": "trung cấp", "advanced": "cao cấp",
    "college": "cao đẳng", "bachelor": "đại học", "master": "thạc sĩ", "doctorate": "tiến sĩ",
}


def level_word(level: str | None) -> str:
    """A level in Vietnamese words ('chưa có' when none is on record)."""
    if not level:
        return "chưa có"
    return WORDS.get(level, level)
CATEGORY_WORDS: dict[str, str] = {"cadre": "cán bộ", "civil_servant": "công chức", "public_employee": "viên chức"}
