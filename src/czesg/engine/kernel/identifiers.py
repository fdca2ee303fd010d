"""The unified social credit code (统一社会信用代码, USCC) of GB 32100-2015.

A USCC has 18 characters from a 31-character alphabet (the digits and the capital letters
without I, O, S, V and Z)::

    position 1       registration authority code (登记管理部门代码), e.g. "9" for market regulation
    position 2       organisation type code (机构类别代码), e.g. "1" for an enterprise
    positions 3-8    administrative division code of the registering authority (GB/T 2260)
    positions 9-17   the body identifier (主体标识码), a GB 11714 organisation code
    position 18      the check character

The check character implements the check-character clause of GB 32100-2015 (校验码, "C18 =
31 - MOD(sum(Ci x Wi), 31)" with "Wi = MOD(3^(i-1), 31)" and MOD(31, 31) read as 0): from the
first 17 characters' values ``C_i`` (their index in the alphabet) and the weights ``W_i``::

    C_18 = 31 - (sum(C_i * W_i) mod 31), with 31 written as 0

Because 31 is prime and no weight is 0 mod 31, changing any single character changes the sum
modulo 31, so every single-character substitution is detected.

The implementation was checked against codes in public material: 91320411666374682K
(常州市长宇实用气体有限公司, in a 2022 government-procurement award notice on the 常州市财政局
procurement site), 91110000600037341L (the example in python-stdnum's USCC documentation) and
the standard's worked example as reprinted in public notes (91350100M000100Y4Z is wrong; its
check character is "3").

Every refusal raises :class:`~czesg.engine.kernel.errors.IdentifierError` whose ``params["reason"]``
tells the kinds apart: ``"length"``, ``"character"``, ``"check"``, and ``"part"`` (a bad component
given to :func:`make_uscc`).
"""

from __future__ import annotations

from czesg.engine.kernel.errors import IdentifierError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters a USCC may use, in the order that gives their values 0..30."""

WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
"""The weights of positions 1..17 (Wi = 3**(i-1) mod 31) from GB 32100-2015."""

LENGTH = 18

_VALUE = {character: value for value, character in enumerate(ALPHABET)}

# Message templates (English, translated by the web layer).
LENGTH_MESSAGE = (
    "The unified social credit code must have 18 characters; “%(code)s” has %(length)s."
)
CHARACTER_MESSAGE = (
    "“%(code)s” has the character “%(character)s” at position %(position)s, which a unified "
    "social credit code does not use (allowed: digits and capital letters other than I, O, S, "
    "V and Z)."
)
DIVISION_MESSAGE = (
    "Positions 3 to 8 of “%(code)s” are the administrative division code and must be digits; "
    "position %(position)s is “%(character)s”."
)
CHECK_MESSAGE = (
    "The check character of “%(code)s” should be “%(expected)s”, not “%(actual)s”."
)
PART_MESSAGE = "The %(part)s “%(value)s” cannot form a unified social credit code: %(problem)s."

# Synthetic codes: see synthetic_uscc.
SYNTHETIC_PREFIX = "MA"
SYNTHETIC_MARKER = "Y"
SYNTHETIC_DIGITS = 6
SYNTHETIC_SERIALS = len(ALPHABET) ** SYNTHETIC_DIGITS

# GB 11714-1997 organisation-code check (used only to prove synthetic bodies cannot be real).
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _character_error(code: str, position: int) -> IdentifierError:
    character = code[position - 1]
    if 3 <= position <= 8 and character in _VALUE:
        return IdentifierError(
            DIVISION_MESSAGE, code=code, character=character, position=position,
            reason="character",
        )
    return IdentifierError(
        CHARACTER_MESSAGE, code=code, character=character, position=position,
        reason="character",
    )


def _check_characters(code: str, count: int) -> None:
    """Raise for the first of ``code[:count]`` that is not allowed at its position."""
    for index, character in enumerate(code[:count]):
        position = index + 1
        if character not in _VALUE or (3 <= position <= 8 and not character.isdigit()):
            raise _character_error(code, position)


def _compute_check(first17: str) -> str:
    total = sum(_VALUE[character] * weight for character, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def check_character(first17: str) -> str:
    """Return the check character (position 18) for the first 17 characters of a USCC."""
    text = first17.strip().upper()
    if len(text) != LENGTH - 1:
        raise IdentifierError(
            PART_MESSAGE, part="first 17 characters", value=first17,
            problem=f"it has {len(text)} characters, not 17", reason="length",
        )
    _check_characters(text, LENGTH - 1)
    return _compute_check(text)


def validate_uscc(code: str) -> str:
    """Return the normalised (stripped, upper-case) code, or raise IdentifierError."""
    if not isinstance(code, str):
        raise TypeError(f"a unified social credit code must be a string, not {type(code).__name__}")
    text = code.strip().upper()
    if len(text) != LENGTH:
        raise IdentifierError(LENGTH_MESSAGE, code=text, length=len(text), reason="length")
    _check_characters(text, LENGTH)
    expected = _compute_check(text[:17])
    if text[17] != expected:
        raise IdentifierError(
            CHECK_MESSAGE, code=text, expected=expected, actual=text[17], reason="check"
        )
    return text


def is_valid_uscc(code: str) -> bool:
    """Tell whether ``code`` is a well-formed USCC with the right check character."""
    try:
        validate_uscc(code)
    except IdentifierError:
        return False
    return True


def division_code(uscc: str) -> str:
    """Return the six-digit administrative division code (positions 3 to 8) of a valid USCC."""
    return validate_uscc(uscc)[2:8]


def _part_error(part: str, value: str, problem: str) -> IdentifierError:
    return IdentifierError(PART_MESSAGE, part=part, value=value, problem=problem, reason="part")


def make_uscc(registration: str, org_type: str, division: str, body: str) -> str:
    """Assemble a USCC from its four parts and append the right check character."""
    parts = (
        ("registration authority code", registration, 1),
        ("organisation type code", org_type, 1),
        ("administrative division code", division, 6),
        ("body identifier", body, 9),
    )
    for name, value, size in parts:
        if len(value) != size:
            raise _part_error(name, value, f"it must have {size} character(s)")
        if any(character not in _VALUE for character in value):
            raise _part_error(name, value, "it uses a character outside the USCC alphabet")
    if not division.isdigit():
        raise _part_error("administrative division code", division, "it must be six digits")
    first17 = registration + org_type + division + body
    return first17 + _compute_check(first17)


def gb11714_check(first8: str) -> str:
    """Return the GB 11714-1997 check character ("0"-"9" or "X") of an 8-character body."""
    total = 0
    for character, weight in zip(first8, _GB11714_WEIGHTS, strict=True):
        # GB 11714 values: digits 0-9, letters A-Z 10-35 (the full Latin alphabet).
        value = int(character) if character.isdigit() else ord(character) - ord("A") + 10
        total += value * weight
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def synthetic_uscc(division: str, serial: int) -> str:
    """Return a deterministic valid USCC for synthetic enterprise number ``serial``.

    The body identifier is "MA", then ``serial`` in six base-31 digits of the USCC alphabet, then
    "Y". A real body identifier is a GB 11714 organisation code whose ninth character is its own
    GB 11714 check character, which is always a digit or "X"; a ninth character "Y" therefore
    never occurs in a code issued under the standard, so a synthetic code cannot collide with a
    real enterprise's. Registration authority "9" (market regulation) and type "1" (enterprise)
    make it look like an ordinary company, and the check character is correct, so it passes
    :func:`validate_uscc`. Serials run from 0 to 31**6 - 1 (887,503,680 codes per division).
    """
    if not 0 <= serial < SYNTHETIC_SERIALS:
        raise ValueError(f"serial must be in 0..{SYNTHETIC_SERIALS - 1}, not {serial}")
    digits = []
    rest = serial
    for _ in range(SYNTHETIC_DIGITS):
        rest, value = divmod(rest, len(ALPHABET))
        digits.append(ALPHABET[value])
    body = SYNTHETIC_PREFIX + "".join(reversed(digits)) + SYNTHETIC_MARKER
    return make_uscc("9", "1", division, body)


def is_synthetic_uscc(code: str) -> bool:
    """Tell whether a valid USCC was made by :func:`synthetic_uscc`."""
    text = validate_uscc(code)
    return text[8:10] == SYNTHETIC_PREFIX and text[16] == SYNTHETIC_MARKER
