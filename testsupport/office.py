"""Small but real office documents for upload tests, and ZIPs that only look like them."""

from __future__ import annotations

import io
import zipfile


def zipped(members: list[tuple[str, bytes]]) -> bytes:
    """A ZIP archive holding ``members`` in this order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


# An Office Open XML package (what Word saves): its parts listed in [Content_Types].xml.
DOCX = zipped(
    [
        ("[Content_Types].xml", b'<?xml version="1.0"?><Types/>'),
        ("word/document.xml", b'<?xml version="1.0"?><document/>'),
    ]
)
# An OpenDocument text (what LibreOffice saves): the mimetype member first.
ODT = zipped(
    [
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", b'<?xml version="1.0"?><office:document-content/>'),
    ]
)
# A plain archive with a program in it, renamed to look like a document.
RENAMED_ZIP = zipped([("program.exe", b"MZ\x90\x00" + b"\x00" * 60)])
# A ZIP's first bytes and nothing of a ZIP after them.
BROKEN_ZIP = b"PK\x03\x04" + b"\x00" * 32
