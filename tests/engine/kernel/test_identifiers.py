"""The GB 32100-2015 unified social credit code: check character, errors, synthetic codes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from czesg.engine.kernel.errors import IdentifierError
from czesg.engine.kernel.identifiers import (
    ALPHABET,
    SYNTHETIC_SERIALS,
    WEIGHTS,
    check_character,
    division_code,
    gb11714_check,
    is_synthetic_uscc,
    is_valid_uscc,
    make_uscc,
    synthetic_uscc,
    validate_uscc,
)

# A real, publicly known code: 常州市长宇实用气体有限公司 (Xinbei District), the supplier named in
# the award notice 正衡采竞磋[2022]067-1号 (常州市肿瘤医院医用液氧供应), published 2022-10-13 on
# the Changzhou government-procurement site of 常州市财政局 (zfcg.changzhou.gov.cn).
REAL_USCC = "91320411666374682K"
# The example code in python-stdnum's USCC documentation (stdnum/cn/uscc.py).
STDNUM_EXAMPLE = "91110000600037341L"
# The worked example of GB 32100-2015 as reprinted in public notes: the first 17 characters
# 91350100M000100Y4 give the check character "3" (the example's "Z" is shown to be wrong).
STANDARD_EXAMPLE_FIRST17 = "91350100M000100Y4"

divisions = st.from_regex(r"\A[0-9]{6}\Z")
serials = st.integers(min_value=0, max_value=SYNTHETIC_SERIALS - 1)


def reason_of(excinfo: pytest.ExceptionInfo[IdentifierError]) -> str:
    return excinfo.value.params["reason"]


def test_weights_are_powers_of_three_mod_31_and_never_zero():
    assert WEIGHTS == tuple(pow(3, i, 31) for i in range(17))
    assert all(weight % 31 != 0 for weight in WEIGHTS)
    assert len(ALPHABET) == 31 and not set("IOSVZ") & set(ALPHABET)


@pytest.mark.parametrize("code", [REAL_USCC, STDNUM_EXAMPLE])
def test_publicly_known_codes_pass(code):
    assert validate_uscc(code) == code
    assert is_valid_uscc(code)
    assert check_character(code[:17]) == code[17]


def test_standard_worked_example():
    assert check_character(STANDARD_EXAMPLE_FIRST17) == "3"
    assert validate_uscc(STANDARD_EXAMPLE_FIRST17 + "3") == STANDARD_EXAMPLE_FIRST17 + "3"


def test_real_body_satisfies_gb11714_and_is_not_synthetic():
    assert gb11714_check(REAL_USCC[8:16]) == REAL_USCC[16]
    assert not is_synthetic_uscc(REAL_USCC)


def test_lower_case_and_spaces_are_normalised():
    assert validate_uscc("  " + REAL_USCC.lower() + "\n") == REAL_USCC
    assert division_code(REAL_USCC.lower()) == "320411"


@pytest.mark.parametrize("code, length", [(REAL_USCC[:17], 17), (REAL_USCC + "0", 19), ("", 0)])
def test_wrong_length(code, length):
    with pytest.raises(IdentifierError) as excinfo:
        validate_uscc(code)
    assert reason_of(excinfo) == "length"
    assert excinfo.value.params["length"] == length
    assert str(excinfo.value) == (
        "The unified social credit code must have 18 characters; "
        f"“{code}” has {length}."
    )


@pytest.mark.parametrize(
    "code, character, position",
    [
        ("91320411666374682I", "I", 18),  # I is not in the alphabet
        ("913204116O6374682K", "O", 10),
        ("S1320411666374682K", "S", 1),
        ("91320411666374682-", "-", 18),
        ("913204A1666374682K", "A", 7),  # the division code must be digits
    ],
)
def test_invalid_character_names_character_and_position(code, character, position):
    with pytest.raises(IdentifierError) as excinfo:
        validate_uscc(code)
    assert reason_of(excinfo) == "character"
    assert excinfo.value.params["character"] == character
    assert excinfo.value.params["position"] == position
    assert f"“{character}”" in str(excinfo.value)
    assert f"position {position}" in str(excinfo.value)


def test_wrong_check_character_names_the_expected_one():
    with pytest.raises(IdentifierError) as excinfo:
        validate_uscc("91320411666374682A")
    assert reason_of(excinfo) == "check"
    assert excinfo.value.params["expected"] == "K"
    assert excinfo.value.params["actual"] == "A"
    assert str(excinfo.value) == (
        "The check character of “91320411666374682A” should be “K”, not “A”."
    )
    assert excinfo.value.code == "uscc_invalid"


def test_make_uscc_rebuilds_the_real_code():
    assert make_uscc("9", "1", "320411", "666374682") == REAL_USCC


@pytest.mark.parametrize(
    "parts",
    [
        ("99", "1", "320411", "666374682"),
        ("9", "1", "32041", "666374682"),
        ("9", "1", "32041A", "666374682"),
        ("9", "1", "320411", "66637468"),
        ("9", "1", "320411", "66637468O"),
    ],
)
def test_make_uscc_refuses_bad_parts(parts):
    with pytest.raises(IdentifierError) as excinfo:
        make_uscc(*parts)
    assert reason_of(excinfo) == "part"


def test_synthetic_serial_out_of_range():
    with pytest.raises(ValueError):
        synthetic_uscc("320411", -1)
    with pytest.raises(ValueError):
        synthetic_uscc("320411", SYNTHETIC_SERIALS)


@settings(max_examples=300)
@given(division=divisions, serial=serials)
def test_synthetic_codes_validate_and_cannot_be_real(division, serial):
    code = synthetic_uscc(division, serial)
    assert validate_uscc(code) == code
    assert division_code(code) == division
    assert code[:2] == "91"
    assert is_synthetic_uscc(code)
    assert synthetic_uscc(division, serial) == code  # deterministic
    # A real body ends with its GB 11714 check character (a digit or X); "Y" never does.
    body = code[8:17]
    assert body[8] == "Y" and gb11714_check(body[:8]) != body[8]


@settings(max_examples=300)
@given(division=divisions, a=serials, b=serials)
def test_synthetic_codes_are_unique_per_serial(division, a, b):
    if a != b:
        assert synthetic_uscc(division, a) != synthetic_uscc(division, b)
    else:
        assert synthetic_uscc(division, a) == synthetic_uscc(division, b)


def test_synthetic_codes_unique_over_a_block_of_serials():
    codes = {synthetic_uscc("320412", serial) for serial in range(20_000)}
    assert len(codes) == 20_000


def _substitute(code: str, position: int, character: str) -> str:
    return code[:position] + character + code[position + 1:]


def test_every_single_substitution_of_the_real_code_is_refused():
    # Exhaustive: all 18 positions times all 30 other alphabet characters.
    for position in range(18):
        for character in ALPHABET:
            if character == REAL_USCC[position]:
                continue
            assert not is_valid_uscc(_substitute(REAL_USCC, position, character))


@settings(max_examples=500)
@given(
    code=st.one_of(
        st.builds(synthetic_uscc, divisions, serials),
        st.sampled_from([REAL_USCC, STDNUM_EXAMPLE]),
    ),
    position=st.integers(min_value=0, max_value=17),
    character=st.sampled_from(ALPHABET + "IOSVZ-a "),
)
def test_any_single_character_change_makes_a_valid_code_invalid(code, position, character):
    changed = _substitute(code, position, character)
    if changed.strip().upper() == code:
        return  # not a change once normalised (same character, or its lower case)
    with pytest.raises(IdentifierError) as excinfo:
        validate_uscc(changed)
    assert reason_of(excinfo) in {"character", "check", "length"}
