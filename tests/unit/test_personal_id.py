"""Personal identification numbers: structure, cross-checks and masking."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.registration.domain.personal_id import (
    PersonalId,
    is_valid_personal_id,
    mask,
    parse_personal_id,
    validate_personal_id,
)
from shared.domain_errors import DomainValidationError
from shared.retirement import Gender


def code_of(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(DomainValidationError) as info:
        call(*args, **kwargs)  # type: ignore[operator]
    assert info.value.field == "personal_id"
    assert info.value.message_vi and info.value.message_en
    return info.value.code


def test_decodes_a_man_born_in_1999_registered_in_ha_noi() -> None:
    pid = parse_personal_id("001099012345")
    assert (pid.province_code, pid.gender, pid.birth_year) == ("001", Gender.MALE, 1999)


def test_decodes_a_woman_born_in_2001() -> None:
    pid = parse_personal_id("079301000123", birth_year=2001, gender="female")
    assert (pid.province_code, pid.gender, pid.birth_year) == ("079", Gender.FEMALE, 2001)


@pytest.mark.parametrize(("digit", "century", "gender"), [
    ("0", 1900, Gender.MALE), ("1", 1900, Gender.FEMALE), ("2", 2000, Gender.MALE),
    ("3", 2000, Gender.FEMALE), ("4", 2100, Gender.MALE), ("9", 2300, Gender.FEMALE),
])
def test_century_and_gender_digit(digit: str, century: int, gender: Gender) -> None:
    pid = parse_personal_id(f"036{digit}85123456")
    assert (pid.birth_year, pid.gender) == (century + 85, gender)


def test_surrounding_whitespace_is_ignored() -> None:
    assert validate_personal_id(" 001099012345\n") == "001099012345"


@pytest.mark.parametrize("bad", [
    "00109901234", "0010990123456", "00109901234a", "001 99012345", "", "００１０９９０１２３４５",
])
def test_format_errors(bad: str) -> None:
    assert code_of(parse_personal_id, bad) == "personal_id_format"


@pytest.mark.parametrize("bad", ["000099012345", "097099012345", "999099012345"])
def test_province_code_must_be_001_to_096(bad: str) -> None:
    assert code_of(parse_personal_id, bad) == "personal_id_province"


def test_cross_check_with_birth_year() -> None:
    assert code_of(parse_personal_id, "001099012345", birth_year=1998) == "personal_id_birth_year_mismatch"
    assert code_of(parse_personal_id, "001099012345", birth_year=2099) == "personal_id_birth_year_mismatch"


def test_cross_check_with_gender() -> None:
    assert code_of(parse_personal_id, "001099012345", gender=Gender.FEMALE) == "personal_id_gender_mismatch"
    assert is_valid_personal_id("001099012345", birth_year=1999, gender="male")
    assert not is_valid_personal_id("001199012345", gender="male")


def test_mask_keeps_only_the_last_three_digits() -> None:
    assert mask("001099012123") == "*********123"
    assert mask("12345") == "*****"
    assert mask("") == ""


def test_decoded_id_never_shows_the_number() -> None:
    pid = parse_personal_id("001099012123")
    assert str(pid) == pid.masked == "*********123"
    assert "001099012123" not in repr(pid)


def test_error_is_picklable_and_serialisable() -> None:
    with pytest.raises(DomainValidationError) as info:
        parse_personal_id("1")
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.to_dict() == info.value.to_dict()
    assert str(copy).startswith("personal_id_format [personal_id]:")


ids = st.builds(
    lambda p, g, y, rest: f"{p:03d}{g}{y:02d}{rest:06d}",
    st.integers(min_value=1, max_value=96), st.integers(min_value=0, max_value=9),
    st.integers(min_value=0, max_value=99), st.integers(min_value=0, max_value=999_999),
)


@given(ids)
def test_every_well_formed_id_parses_and_cross_checks_with_itself(value: str) -> None:
    pid = parse_personal_id(value)
    assert isinstance(pid, PersonalId)
    assert pid.birth_year % 100 == int(value[4:6])
    assert parse_personal_id(value, birth_year=pid.birth_year, gender=pid.gender) == pid


@given(st.text(min_size=0, max_size=30))
def test_mask_never_reveals_more_than_three_characters(value: str) -> None:
    masked = mask(value)
    text = value.strip()
    assert len(masked) == len(text)
    assert sum(ch != "*" for ch in masked) <= 3
    if len(text) > 6:
        assert masked.endswith(text[-3:])
