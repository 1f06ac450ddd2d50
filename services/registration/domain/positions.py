"""Position levels (cấp chức vụ): the management level of the position an official holds or is planned for.

The rules that depend on a position (political theory, defence and security groups, knowledge-update
groups) name these codes in their policy data; this module only holds the vocabulary and its words.
"""

from __future__ import annotations

POSITION_LEVELS: dict[str, tuple[str, str]] = {
    "central": ("lãnh đạo cấp Trung ương", "central-level leader"),
    "provincial_leader": ("lãnh đạo chủ chốt cấp tỉnh", "provincial key leader"),
    "provincial_department_head": ("giám đốc, phó giám đốc sở (tương đương)",
                                   "head or deputy head of a provincial department"),
    "provincial_section_head": ("trưởng phòng (tương đương) cấp tỉnh", "provincial head of section"),
    "provincial_deputy_section_head": ("phó trưởng phòng (tương đương) cấp tỉnh",
                                       "provincial deputy head of section"),
    "district_leader": ("lãnh đạo chủ chốt cấp huyện", "district key leader"),
    "district_section_head": ("trưởng phòng (tương đương) cấp huyện", "district head of section"),
    "district_deputy_section_head": ("phó trưởng phòng (tương đương) cấp huyện", "district deputy head of section"),
    "commune_chair": ("bí thư, chủ tịch HĐND, UBND cấp xã (tương đương)", "commune secretary or chair"),
    "commune_section_head": ("trưởng phòng (tương đương) cấp xã", "commune head of section"),
    "commune_deputy_section_head": ("phó trưởng phòng (tương đương) cấp xã", "commune deputy head of section"),
    "staff": ("không giữ chức vụ lãnh đạo, quản lý", "no leadership position"),
}


def level_words(level: str | None) -> tuple[str, str]:
    """The position level in words (vi, en); an unknown or missing level says so."""
    if level is None:
        return "chưa ghi cấp chức vụ", "position level not on record"
    return POSITION_LEVELS.get(level, (f"cấp chức vụ {level}", f"position level {level}"))
