"""Vietnamese folding and collation."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from shared.vietnamese import (
    ALPHABET,
    TONE_ORDER,
    fold,
    folded_contains,
    sort_key,
    sort_key_name,
    split_name,
)

VI_LOWER = (
    "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợ"
    "pqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
)
VI_CHARS = VI_LOWER + VI_LOWER.upper()
vi_words = st.text(alphabet=VI_CHARS, min_size=1, max_size=8)
vi_text = st.lists(vi_words, max_size=4).map(" ".join)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def names_sorted(names: list[str]) -> list[str]:
    return sorted(names, key=sort_key_name)


# --- fold -------------------------------------------------------------------------------------

def test_fold_removes_diacritics_and_case() -> None:
    assert fold("Nguyễn Văn An") == "nguyen van an"


def test_fold_maps_d_with_stroke() -> None:
    assert fold("Đào Đức Đạt") == "dao duc dat"
    assert fold("đường") == "duong"


def test_fold_collapses_whitespace() -> None:
    assert fold("  Trần \t Thị\n\nBình  ") == "tran thi binh"


def test_fold_handles_nfd_input() -> None:
    assert fold(nfd("Phạm Thị Hương")) == "pham thi huong"


def test_folded_contains_matches_search_without_diacritics() -> None:
    assert folded_contains("Nguyễn Văn An", "nguyen van an")
    assert folded_contains("Trường Chính trị tỉnh Đồng Nai", "dong nai")
    assert not folded_contains("Nguyễn Văn An", "binh")


@given(vi_text)
def test_fold_is_idempotent_and_ascii_for_vietnamese(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert folded.isascii()
    assert folded == folded.casefold()


@given(vi_text)
def test_fold_same_for_nfc_and_nfd(text: str) -> None:
    assert fold(unicodedata.normalize("NFC", text)) == fold(nfd(text))


# --- sort_key ---------------------------------------------------------------------------------

def test_alphabet_order_of_modified_letters() -> None:
    assert sort_key("A") < sort_key("Ă") < sort_key("Â") < sort_key("B")
    assert sort_key("d") < sort_key("đ") < sort_key("e") < sort_key("ê") < sort_key("g")
    assert sort_key("o") < sort_key("ô") < sort_key("ơ") < sort_key("p")
    assert sort_key("u") < sort_key("ư") < sort_key("v")


def test_modified_letter_is_a_separate_letter_not_an_accent() -> None:
    assert sort_key("Az") < sort_key("Ăa")
    assert sort_key("Dương") < sort_key("Đào")
    assert sort_key("Dzung") < sort_key("Đa")


def test_latin_letters_f_j_w_z_are_placed_like_latin() -> None:
    assert sort_key("ê") < sort_key("f") < sort_key("g")
    assert sort_key("i") < sort_key("j") < sort_key("k")
    assert sort_key("v") < sort_key("w") < sort_key("x")
    assert sort_key("y") < sort_key("z")


def test_tone_order_is_dictionary_order() -> None:
    words = ["ạ", "á", "ã", "ả", "à", "a"]
    assert sorted(words, key=sort_key) == ["a", "à", "ả", "ã", "á", "ạ"]


def test_tone_is_secondary_to_letters() -> None:
    assert sort_key("á") < sort_key("ac")
    assert sort_key("ạc") < sort_key("an")
    assert sort_key("an") < sort_key("án") < sort_key("anh")


def test_comparison_is_word_by_word_like_a_dictionary() -> None:
    assert sort_key("ba hoa") < sort_key("bà")
    assert sort_key("bà con") < sort_key("bá")


def test_tone_placement_old_and_new_style_sort_equal() -> None:
    assert sort_key("hòa") == sort_key("hoà")
    assert sort_key("thủy") == sort_key("thuỷ")


def test_case_is_the_last_key() -> None:
    assert sort_key("an") < sort_key("An")
    assert sort_key("An") < sort_key("bình")
    assert sort_key("An") < sort_key("àn")


def test_digits_before_letters_and_punctuation_before_digits() -> None:
    assert sort_key("-") < sort_key("1") < sort_key("9") < sort_key("a")


def test_empty_text() -> None:
    assert sort_key("") == ((), ())
    assert sort_key("") < sort_key("a")


@given(vi_text)
def test_sort_key_same_for_nfc_and_nfd(text: str) -> None:
    assert sort_key(unicodedata.normalize("NFC", text)) == sort_key(nfd(text))


@given(st.sampled_from(ALPHABET), st.sampled_from(ALPHABET))
def test_single_letters_follow_the_alphabet(a: str, b: str) -> None:
    assert (sort_key(a) < sort_key(b)) == (ALPHABET.index(a) < ALPHABET.index(b))


@given(st.sampled_from(range(len(TONE_ORDER))), st.sampled_from(range(len(TONE_ORDER))))
def test_tones_follow_tone_order(i: int, j: int) -> None:
    wi = unicodedata.normalize("NFC", "a" + TONE_ORDER[i] + "n")
    wj = unicodedata.normalize("NFC", "a" + TONE_ORDER[j] + "n")
    assert (sort_key(wi) < sort_key(wj)) == (i < j)


@given(vi_text, vi_text)
def test_sort_key_ignores_extra_whitespace(a: str, b: str) -> None:
    assert sort_key(f"  {a}   {b} ") == sort_key(f"{a} {b}")


# --- names ------------------------------------------------------------------------------------

def test_split_name() -> None:
    assert split_name("Nguyễn Thị Minh Khai") == ("Nguyễn", "Thị Minh", "Khai")
    assert split_name("Trần An") == ("Trần", "", "An")
    assert split_name("An") == ("", "", "An")
    assert split_name("   ") == ("", "", "")


def test_given_name_decides_first() -> None:
    assert sort_key_name("Nguyễn Văn An") < sort_key_name("Trần Thị Bình")
    assert sort_key_name("Vũ Văn An") < sort_key_name("An Văn Bình")


def test_same_given_name_falls_back_to_family_then_middle_name() -> None:
    assert sort_key_name("Lê Văn An") < sort_key_name("Nguyễn Văn An")
    assert sort_key_name("Dương Văn Hùng") < sort_key_name("Đào Văn Hùng")
    assert sort_key_name("Lê Thị An") < sort_key_name("Lê Văn An")


def test_given_name_tone_outweighs_family_name() -> None:
    assert sort_key_name("Trần An") < sort_key_name("Lê Án")


def test_a_list_of_names_in_vietnamese_order() -> None:
    names = ["Trần Thị Bình", "Đào Văn An", "Nguyễn Văn An", "Dương Thị Ánh", "Lê Văn Ân", "Phạm Ăn"]
    assert names_sorted(names) == [
        "Đào Văn An", "Nguyễn Văn An", "Dương Thị Ánh", "Phạm Ăn", "Lê Văn Ân", "Trần Thị Bình",
    ]


def test_name_key_handles_nfd() -> None:
    assert sort_key_name(nfd("Nguyễn Văn Ánh")) == sort_key_name("Nguyễn Văn Ánh")


@given(vi_words, vi_words, vi_words, vi_words)
def test_different_given_names_decide_regardless_of_family(fam1: str, giv1: str, fam2: str, giv2: str) -> None:
    if sort_key(giv1) != sort_key(giv2):
        assert (sort_key_name(f"{fam1} {giv1}") < sort_key_name(f"{fam2} {giv2}")) == (
            sort_key(giv1) < sort_key(giv2)
        )


@given(st.text(alphabet=st.characters(max_codepoint=127, blacklist_categories=("Zs", "Cc")), min_size=1))
def test_an_ascii_word_gets_the_keys_the_general_path_gives(word: str) -> None:
    """The ASCII shortcut (no marks to split off) changes no key: digits, codes and Latin words sort as before."""
    from shared import vietnamese

    assert vietnamese._word_keys(word) == vietnamese._marked_word_keys(word)


def test_word_keys_are_computed_once_per_word() -> None:
    from shared import vietnamese

    vietnamese._word_keys.cache_clear()
    names = [f"Nguyễn Văn {given}" for given in ("An", "Bình", "An", "Cường")] * 50
    keys = [sort_key_name(n) for n in names]
    assert keys[0] == keys[2] and keys[0] != keys[1]
    assert vietnamese._word_keys.cache_info().misses == 5  # Nguyễn, Văn, An, Bình, Cường
