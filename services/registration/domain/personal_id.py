"""Vietnamese 12-digit personal identification number (số định danh cá nhân): checks and masking.

Layout (Circular 07/2016/TT-BCA, later 59/2021/TT-BCA): 3 digits province of birth
registration (001–096), 1 digit gender and century, 2 digits the birth year's last two
digits, 6 random digits. Century/gender digit: 0/1 → 1900s male/female, 2/3 → 2000s,
4/5 → 2100s, 6/7 → 2200s, 8/9 → 2300s (even male, odd female).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.domain_errors import DomainValidationError
from shared.retirement import Gender

PERSONAL_ID_LENGTH = 12
PROVINCE_CODE_MIN, PROVINCE_CODE_MAX = 1, 96
VISIBLE_DIGITS = 3
FIELD = "personal_id"


@dataclass(frozen=True)
class PersonalId:
    """A structurally valid personal identification number and what it encodes."""

    value: str = field(repr=False)
    province_code: str
    gender: Gender
    birth_year: int

    @property
    def masked(self) -> str:
        """The number with all but the last three digits hidden."""
        return mask(self.value)

    def __str__(self) -> str:
        return self.masked


def _error(code: str, vi: str, en: str) -> DomainValidationError:
    """A personal-id validation error on the `personal_id` field."""
    return DomainValidationError(code, vi, en, FIELD)


def parse_personal_id(value: str, *, birth_year: int | None = None,
                      gender: Gender | str | None = None) -> PersonalId:
    """Validate a personal id (optionally against a known birth year and gender) and decode it."""
    pid = value.strip()
    if len(pid) != PERSONAL_ID_LENGTH or not (pid.isascii() and pid.isdigit()):
        raise _error("personal_id_format", "Số định danh cá nhân phải gồm đúng 12 chữ số",
                     "The personal identification number must be exactly 12 digits")
    province = int(pid[:3])
    if not PROVINCE_CODE_MIN <= province <= PROVINCE_CODE_MAX:
        raise _error("personal_id_province", f"Mã tỉnh {pid[:3]} không hợp lệ (001–096)",
                     f"Province code {pid[:3]} is invalid (001–096)")
    code = int(pid[3])
    century = 1900 + 100 * (code // 2)
    decoded = PersonalId(value=pid, province_code=pid[:3],
                         gender=Gender.MALE if code % 2 == 0 else Gender.FEMALE,
                         birth_year=century + int(pid[4:6]))
    if birth_year is not None and birth_year != decoded.birth_year:
        raise _error("personal_id_birth_year_mismatch",
                     f"Số định danh mã hóa năm sinh {decoded.birth_year}, không khớp năm sinh {birth_year}",
                     f"The number encodes birth year {decoded.birth_year}, not {birth_year}")
    if gender is not None and Gender(gender) is not decoded.gender:
        raise _error("personal_id_gender_mismatch", "Số định danh không khớp giới tính",
                     "The number does not match the recorded gender")
    return decoded


def validate_personal_id(value: str, *, birth_year: int | None = None,
                         gender: Gender | str | None = None) -> str:
    """Return the normalised number, raising DomainValidationError when it is invalid."""
    return parse_personal_id(value, birth_year=birth_year, gender=gender).value


def is_valid_personal_id(value: str, *, birth_year: int | None = None,
                         gender: Gender | str | None = None) -> bool:
    """Tell whether the number is valid (and consistent with birth year and gender if given)."""
    try:
        parse_personal_id(value, birth_year=birth_year, gender=gender)
    except DomainValidationError:
        return False
    return True


def mask(value: str) -> str:
    """Hide all but the last three characters ("001099012123" → "*********123"); never raises."""
    text = str(value).strip()
    if len(text) <= VISIBLE_DIGITS * 2:
        return "*" * len(text)
    return "*" * (len(text) - VISIBLE_DIGITS) + text[-VISIBLE_DIGITS:]
