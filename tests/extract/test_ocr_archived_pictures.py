"""Pictures archived by the crawler reach OCR when their report is extracted — from the archive, offline."""

from __future__ import annotations

from extract.documents import ocr
from extract.documents.webpage import read_html
from transform.batch import archived_documents

PAGE = ("<html><body><p>三、收到和处理政府信息公开申请情况</p><p><img src='pic/t3.png'></p>"
        "<p>四、政府信息公开行政复议、行政诉讼情况</p><img src='/other.png'></body></html>").encode()


def test_pending_documents_carry_their_archived_pictures():
    rows = [
        {"kind": "report", "url": "http://x.gov.cn/nb/a.html", "sha256": "a" * 64, "state": "new"},
        {"kind": "image", "url": "http://x.gov.cn/nb/pic/t3.png", "referrer": "http://x.gov.cn/nb/a.html",
         "sha256": "b" * 64, "state": "new"},
        {"kind": "image", "url": "http://x.gov.cn/z.png", "referrer": "http://x.gov.cn/nb/other.html",
         "sha256": "c" * 64, "state": "new"},
    ]
    (doc,) = archived_documents(rows)
    assert doc.pictures == (("http://x.gov.cn/nb/pic/t3.png", "b" * 64),)


def test_an_archived_picture_is_read_from_the_archive(tmp_path, monkeypatch):
    picture = tmp_path / "bb" / "b"
    picture.parent.mkdir()
    picture.write_bytes(b"picture bytes")
    seen = []

    def fake_ocr(doc, data, source):  # the recogniser itself is tested elsewhere; here: which bytes reach it
        seen.append((data, source))
        return True

    monkeypatch.setenv("XXGK_OCR", "1")
    monkeypatch.setattr(ocr, "add_picture_blocks", fake_ocr)
    monkeypatch.setattr(ocr, "available", lambda: True)
    token = ocr.archived_pictures({"http://x.gov.cn/nb/pic/t3.png": picture})
    try:
        ocr.pictures_beside("http://x.gov.cn/nb/a.html")
        doc = read_html(PAGE)
    finally:
        ocr._archived.reset(token)
        ocr.pictures_beside(None)
    assert seen == [(b"picture bytes", "pic/t3.png")]
    assert [src for _, src in doc.images] == ["/other.png"]  # not archived: still a picture standing for a table
