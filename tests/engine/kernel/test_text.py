"""The one reader of uploaded text: UTF-8 (with or without BOM), else GB 18030, else refused."""

from __future__ import annotations

import pytest

from czesg.engine.kernel.text import (
    NOT_TEXT,
    TextEncodingError,
    decode_text,
    text_encoding,
    text_stream,
)

CHINESE = "统一社会信用代码,年份,排放量\n91320400MA1XXXXX0X,2024,\"1,500\"\n"


def test_utf8_with_a_bom_is_read_without_it():
    data = b"\xef\xbb\xbf" + CHINESE.encode("utf-8")
    assert text_encoding(data) == "utf-8-sig"
    assert decode_text(data) == CHINESE
    assert text_stream(data).read() == CHINESE


def test_utf8_without_a_bom_is_read():
    assert decode_text(CHINESE.encode("utf-8")) == CHINESE


def test_gb18030_as_excel_saves_it_on_a_chinese_system_is_read():
    data = CHINESE.encode("gb18030")
    assert text_encoding(data) == "gb18030"
    assert decode_text(data) == CHINESE
    assert text_stream(data).read() == CHINESE


def test_line_endings_are_kept_as_written_for_the_csv_module():
    assert text_stream(b"a,b\r\n1,\"x\ny\"\r\n").read() == "a,b\r\n1,\"x\ny\"\r\n"


def test_a_character_split_across_the_checked_slices_is_still_utf8():
    # The check reads 1 MiB at a time; a three-byte character straddles the first boundary.
    data = b"a" * ((1 << 20) - 1) + "统".encode() + b"\n"
    assert text_encoding(data) == "utf-8-sig"
    assert text_stream(data).read().endswith("a统\n")


def test_a_gb18030_byte_far_into_the_file_makes_it_gb18030():
    data = b"a" * (3 << 20) + "年份".encode("gb18030")
    assert text_encoding(data) == "gb18030"
    assert decode_text(data).endswith("年份")


@pytest.mark.parametrize("data", [b"\xff\xfe\xfd\xfc", b"ok,\x80\xff\n", "年".encode() + b"\xff"])
def test_bytes_in_neither_encoding_are_refused_with_the_one_message(data):
    for read in (decode_text, text_encoding, text_stream):
        with pytest.raises(TextEncodingError) as refused:
            read(data)
        assert refused.value.message == NOT_TEXT
        assert refused.value.code == "text_encoding_invalid"
