"""Uploaded files are checked by content: real zip bombs, PDFs with active content, HTML behind
PDF magic bytes and broken images are refused; real workbooks, PDFs and images pass."""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest

from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure import workbook
from czesg.engine.disclosure.evidence import JPEG, PDF, PNG, XLSX, checked_file_type
from czesg.engine.disclosure.inspection import FileRefused, UploadLimits, check_zip

PLAIN_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction[3 0 R/Fit]>>endobj\n"
             b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
             b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
             b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _pdf(catalogue_extra: bytes, body: bytes = b"") -> bytes:
    return (b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R" + catalogue_extra + b">>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" + body
            + b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _zip_bomb(unpacked: int) -> bytes:
    """A real zip bomb: an xlsx-shaped archive with one part of zeros that deflates ~1000-fold."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            zeros = b"\x00" * 2**20
            for _ in range(unpacked // 2**20):
                part.write(zeros)
    return buffer.getvalue()


def _image(fmt: str) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 60)).save(buffer, format=fmt)
    return buffer.getvalue()


def test_a_real_template_workbook_passes():
    data = workbook.build_template(load_catalogue(), "basic",
                                   enterprise={"uscc": "91320411MA1XXXXX0X", "name": "甲"},
                                   year=2025, answers={}, language="zh-hans")
    assert checked_file_type(data) is XLSX


def test_a_zip_bomb_is_refused_by_its_ratio_before_it_is_unpacked():
    bomb = _zip_bomb(64 * 2**20)
    assert len(bomb) < 200_000  # 64 MB of zeros in a small file
    with pytest.raises(FileRefused) as refused:
        checked_file_type(bomb)
    assert refused.value.message == "The file was refused: it is compressed like a zip bomb."
    assert refused.value.params["unpacked"] == 64 * 2**20 + len("<Types/>") + len("<workbook/>")


def test_an_archive_that_unpacks_beyond_the_limit_is_refused():
    bomb = _zip_bomb(3 * 2**20)
    with pytest.raises(FileRefused) as refused:
        check_zip(bomb, UploadLimits(max_uncompressed_bytes=2 * 2**20, max_ratio=10**6))
    assert "unpacks to more than" in refused.value.message


def test_an_archive_whose_declared_size_lies_is_refused_as_damaged():
    data = bytearray(_zip_bomb(2 * 2**20))
    # Shrink the declared size of the big part in its central directory entry: the real
    # stream no longer matches it.
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    central = data.rfind(b"PK\x01\x02" , 0, data.rfind(b"PK\x05\x06"))
    assert data[central + 46:central + 46 + len(info.filename)] == info.filename.encode()
    data[central + 24:central + 28] = (1000).to_bytes(4, "little")
    with pytest.raises(FileRefused) as refused:
        check_zip(bytes(data), UploadLimits(max_ratio=10**6))
    assert refused.value.message == "The file was refused: the archive is damaged."


def test_a_plain_pdf_that_opens_at_a_page_passes():
    assert checked_file_type(PLAIN_PDF) is PDF
    assert checked_file_type(_pdf(b"/OpenAction 4 0 R",
                                  b"4 0 obj<</S/GoTo/D[3 0 R/Fit]>>endobj\n")) is PDF


@pytest.mark.parametrize("extra, found", [
    (b"/OpenAction<</S/JavaScript/JS(app.alert\\(1\\))>>", "JS, JavaScript, OpenAction"),
    (b"/OpenAction<</S/J#61vaScript/J#53(app.alert\\(1\\))>>", "JS, JavaScript, OpenAction"),
    (b"/OpenAction<</S/Launch/F(cmd.exe)>>", "Launch, OpenAction"),
    (b"/AA<</O<</S/URI/URI(http://x)>>>>", "AA"),
    (b"/Names<</EmbeddedFiles 5 0 R>>", "EmbeddedFiles"),
])
def test_a_pdf_with_active_content_is_refused(extra, found):
    with pytest.raises(FileRefused) as refused:
        checked_file_type(_pdf(extra))
    assert refused.value.params == {"found": found}


def test_javascript_hidden_in_a_compressed_object_stream_is_found():
    hidden = zlib.compress(b"5 0 <</S/JavaScript/JS(this.exportDataObject\\(\\))>>")
    body = (b"4 0 obj<</Type/ObjStm/N 1/First 4/Length %d/Filter/FlateDecode>>stream\n"
            % len(hidden) + hidden + b"\nendstream endobj\n")
    with pytest.raises(FileRefused) as refused:
        checked_file_type(_pdf(b"", body))
    assert refused.value.params == {"found": "JS, JavaScript"}


def test_names_inside_binary_streams_are_not_mistaken_for_active_content():
    # Compressed image data that happens to hold the bytes "/AA " and "/JS(".
    body = (b"4 0 obj<</Type/XObject/Subtype/Image/Filter/DCTDecode/Length 12>>stream\n"
            b"\xff\xd8/AA /JS(\x00\x01\nendstream endobj\n")
    assert checked_file_type(_pdf(b"", body)) is PDF


def test_html_behind_pdf_magic_bytes_is_refused():
    page = b"%PDF-1.4\n<html><body><script>fetch('/account/tokens/')</script></body></html>\n%%EOF"
    with pytest.raises(FileRefused) as refused:
        checked_file_type(page)
    assert refused.value.message == "The file was refused: it contains a web page or script."


def test_a_truncated_pdf_is_refused():
    with pytest.raises(FileRefused):
        checked_file_type(b"%PDF-1.4\n1 0 obj<<>>endobj\n")


def test_real_images_pass_and_a_magic_bytes_only_image_is_refused():
    assert checked_file_type(_image("PNG")) is PNG
    assert checked_file_type(_image("JPEG")) is JPEG
    with pytest.raises(FileRefused) as refused:
        checked_file_type(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert refused.value.message == "The file was refused: the image is damaged."


def test_an_image_with_too_many_pixels_is_refused():
    from czesg.engine.disclosure.inspection import check_image

    with pytest.raises(FileRefused):
        check_image(_image("PNG"), "PNG", UploadLimits(max_image_pixels=1000))
