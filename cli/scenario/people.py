"""Generated people for a scenario: unique Vietnamese names, valid personal ids, import rows. Deterministic."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from typing import Any

# Each list in order of how common the word is (the draw favours the first ones, as the population does).
DEFAULT_NAMES: dict[str, list[str]] = {
    "family": ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
               "Ngô", "Dương", "Lý", "Đinh", "Đoàn", "Lâm", "Trương", "Mai", "Cao", "Lương", "Tạ", "Hà", "Thái",
               "Châu", "Tô", "Quách", "La"],
    "middle_male": ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân", "Đình", "Ngọc", "Trọng", "Tấn",
                    "Quang", "Hoàng", "Thành", "Duy"],
    "middle_female": ["Thị", "Ngọc", "Thanh", "Thu", "Kim", "Mỹ", "Bích", "Hồng", "Diệu", "Phương", "Thúy", "Minh",
                      "Hoài", "Khánh", "Thùy", "Tuyết"],
    "given_male": ["Anh", "Bảo", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Khánh", "Long", "Mạnh", "Nam",
                   "Nghĩa", "Phúc", "Quang", "Sơn", "Tâm", "Thắng", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Hòa",
                   "Huy", "Khoa", "Lâm", "Lộc", "Nhân", "Phong", "Tài", "Thịnh", "Tiến", "Trí", "Tùng", "Vũ"],
    "given_female": ["An", "Bình", "Châu", "Dung", "Giang", "Hà", "Hạnh", "Hiền", "Hoa", "Hương", "Lan", "Liên",
                     "Linh", "Mai", "Nga", "Ngân", "Nhung", "Oanh", "Phượng", "Quyên", "Thảo", "Trang", "Uyên",
                     "Yến", "Anh", "Diễm", "Hằng", "Huyền", "Loan", "My", "Nhi", "Quỳnh", "Tâm", "Thủy", "Trinh",
                     "Vân"],
}
DEFAULT_SEED = 2023
PROVINCE_CODE = "070"  # Bình Phước's code in the personal identification number


@dataclass(frozen=True)
class Person:
    """One official to import, with the key the scenario refers to them by."""

    key: str
    full_name: str
    gender: str
    birth: str
    unit_code: str
    category: str
    values: dict[str, str]


def personal_id(serial: int, birth_year: int, gender: str) -> str:
    """A structurally valid 12-digit number: province, century/gender digit, year, serial."""
    digit = 2 * ((birth_year - 1900) // 100) + (1 if gender == "female" else 0)
    return f"{PROVINCE_CODE}{digit}{birth_year % 100:02d}{serial % 1_000_000:06d}"


class NamePoolExhausted(ValueError):
    """Every combination of the pool's words is taken: the scenario needs a larger pool."""


def _weights(n: int) -> list[float]:
    """Zipf-like weights for a list ordered from the most common word down."""
    return [1.0 / (i + 1) ** 0.8 for i in range(n)]


class NameSource:
    """Distinct, realistic full names (family, middle and given name, with diacritics, never a numeral): drawn from
    the pool's lists by a generator seeded with ``seed``, so the same scenario always gives the same people."""

    def __init__(self, pool: dict[str, Any] | None = None, seed: int | None = None) -> None:
        self.pool: dict[str, Any] = pool or dict(DEFAULT_NAMES)
        self.rng = random.Random(seed if seed is not None else int(self.pool.get("seed", DEFAULT_SEED)))
        self.used: set[str] = set()

    def _words(self, gender: str) -> tuple[list[str], list[str], list[str]]:
        return list(self.pool["family"]), list(self.pool[f"middle_{gender}"]), list(self.pool[f"given_{gender}"])

    def take(self, gender: str) -> str:
        """The next unused name of the gender; NamePoolExhausted when the pool has none left."""
        fam, mid, giv = self._words(gender)
        wf, wm, wg = _weights(len(fam)), _weights(len(mid)), _weights(len(giv))
        for _ in range(64):
            name = " ".join((self.rng.choices(fam, wf)[0], self.rng.choices(mid, wm)[0], self.rng.choices(giv, wg)[0]))
            if name not in self.used:
                self.used.add(name)
                return name
        for f, m, g in itertools.product(fam, mid, giv):  # crowded pool: the first free combination, in order
            name = f"{f} {m} {g}"
            if name not in self.used:
                self.used.add(name)
                return name
        raise NamePoolExhausted(f"all {len(fam) * len(mid) * len(giv)} {gender} names of the pool are taken")


def _row(p: Person, pid: str, extra: dict[str, Any]) -> dict[str, str]:
    values = {"personal_id": pid, "full_name": p.full_name, "gender": p.gender, "birth_date": p.birth,
              "unit_code": p.unit_code, "category": p.category}
    for field in ("position", "position_level", "title", "education", "political_theory", "party_join_date",
                  "service_start"):
        if extra.get(field):
            values[field] = str(extra[field])
    if extra.get("ratings"):
        values["ratings"] = ";".join(f"{y}:{r}" for y, r in sorted(extra["ratings"].items()))
    return values


def generate(spec: dict[str, Any], names: NameSource, serial_start: int) -> list[Person]:
    """People of a ``generate`` block: spread over its units in turn, alternating gender, births over the range."""
    units = spec["units"]
    lo, hi = spec.get("birth_years", [1970, 1990])
    prefix = spec.get("key_prefix", "p")
    out = []
    for i in range(int(spec["count"])):
        gender = "male" if i % 2 == 0 else "female"
        year = lo + (i * 7) % (hi - lo + 1)
        birth = f"{1 + i % 28:02d}/{1 + i % 12:02d}/{year}"
        p = Person(key=f"{prefix}{serial_start + i}", full_name=names.take(gender), gender=gender, birth=birth,
                   unit_code=units[i % len(units)], category=spec.get("category", "civil_servant"), values={})
        out.append(Person(**{**p.__dict__, "values": _row(p, personal_id(serial_start + i, year, gender), spec)}))
    return out


def listed(official: dict[str, Any], serial: int) -> Person:
    """A person written out in the scenario."""
    birth = str(official["birth"])
    year = int(birth[:4]) if "-" in birth else int(birth[-4:])
    p = Person(key=official["key"], full_name=official["full_name"], gender=official["gender"],
               birth=_dmy(birth), unit_code=official["unit_code"], category=official["category"], values={})
    return Person(**{**p.__dict__, "values": _row(p, personal_id(serial, year, p.gender), official)})


def _dmy(birth: str) -> str:
    if "-" in birth:
        y, m, d = birth.split("-")
        return f"{d}/{m}/{y}"
    return birth
