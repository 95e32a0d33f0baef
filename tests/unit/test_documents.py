"""lawreport.text.documents: every report format read right, every bad file named with its reason.

All fixtures are built here at run time: docx by writing the XML parts into a zip, PDF by writing the
objects by hand (a CID font with a ToUnicode map, so that any Chinese text has a text layer), HTML and
text as strings in their encodings.
"""

from __future__ import annotations

import codecs
import io
import time
import zipfile
from pathlib import Path

import pytest

from lawreport.text import documents
from lawreport.text.documents import Document, DocumentError, documents_in, read_document

REPORT = (
    "一、2025年法治政府建设主要举措和成效\n"
    "全年共受理行政复议案件123件，办结118件，办结率95.9%。\n"
    "开展普法宣传活动56场，覆盖群众1.2万人次。"
)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def fails(path: Path, kind: str, *words: str) -> DocumentError:
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    error = caught.value
    assert error.kind == kind, str(error)
    assert str(path) in str(error), "the message names the file"
    for word in words:
        assert word in str(error), str(error)
    return error


# --------------------------------------------------------------------------------------------------
# fixture builders

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)


def p(*runs: str, ppr: str = "") -> str:
    return f"<w:p>{ppr}{''.join(runs)}</w:p>"


def r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def make_docx(body: str, parts: dict[str, str] | None = None) -> bytes:
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml">'
        f'<w:body>{body}<w:sectPr><w:headerReference w:type="default" r:id="rId9" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></w:sectPr></w:body>'
        "</w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("word/document.xml", document)
        for name, text in (parts or {}).items():
            archive.writestr(name, text)
    return buffer.getvalue()


def make_pdf(pages: list[list[str | tuple[float, float, str]]], image_pages: tuple[int, ...] = ()) -> bytes:
    """A PDF whose pages show the given lines in a CID font (Identity-H: code = Unicode code point, 12 pt,
    every glyph 12 pt wide) with a ToUnicode map. A str is placed on the next line from the top-left
    (x = 40), an (x, y, text) tuple where it says. Pages in `image_pages` hold only a grey picture."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(data: bytes, extra: bytes = b"") -> bytes:
        return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"

    used = sorted({ord(c) for page in pages for item in page for c in (item if isinstance(item, str) else item[2])})
    entries = [b"<%04X> <%04X>" % (u, u) for u in used] or [b"<0020> <0020>"]
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
    )
    for start in range(0, len(entries), 100):
        block = entries[start : start + 100]
        cmap += b"%d beginbfchar\n" % len(block) + b"\n".join(block) + b"\nendbfchar\n"
    cmap += b"endcmap CMapName currentdict /CMap defineresource pop end end"
    to_unicode = add(stream(cmap))
    descriptor = add(
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -141 1000 859] /ItalicAngle 0"
        b" /Ascent 859 /Descent -141 /CapHeight 700 /StemV 80 >>"
    )
    cid_font = add(
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe)"
        b" /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 /CIDToGIDMap /Identity >>" % descriptor
    )
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [%d 0 R]"
        b" /ToUnicode %d 0 R >>" % (cid_font, to_unicode)
    )
    image = add(
        stream(
            b"\x80" * 16,
            b"/Type /XObject /Subtype /Image /Width 4 /Height 4 /ColorSpace /DeviceGray /BitsPerComponent 8 ",
        )
    )
    pages_id = add(b"")
    kids = []
    for number, page in enumerate(pages):
        ops = []
        if number in image_pages:
            ops.append(b"q 595 0 0 842 0 0 cm /Im1 Do Q")
        y = 800
        for item in page:
            x, y_at, text = (40, y, item) if isinstance(item, str) else item
            if isinstance(item, str):
                y -= 16
            # One glyph at a time with a small kerning adjustment, as Word and WPS write it.
            glyphs = b" ".join(b"<%04X> %d" % (ord(c), (i % 3) - 1) for i, c in enumerate(text))
            ops.append(b"BT /F1 12 Tf 1 0 0 1 %.2f %.2f Tm [%s] TJ ET" % (x, y_at, glyphs))
        content = add(stream(b"\n".join(ops)))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >>"
                b" /XObject << /Im1 %d 0 R >> >> /Contents %d 0 R >>" % (pages_id, font, image, content)
            )
        )
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    return bytes(out)


def wrap(paragraphs: list[str], width: int = 40) -> list[str]:
    """Lines as a word processor sets them: a paragraph's first line indented by two ideographic spaces."""
    lines = []
    for paragraph in paragraphs:
        text = "\u3000\u3000" + paragraph
        lines.extend(text[i : i + width] for i in range(0, len(text), width))
    return lines


def encrypt_pdf(data: bytes, user: str, **options) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user, owner_password="owner-secret", **options)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PARAGRAPHS = [
    "2025年，街道办事处全年共受理行政复议案件123件，办结118件，办结率95.9%，比上年提高2.1个百分点。",
    "开展普法宣传活动56场，覆盖群众1.2万人次。",
    "二、存在的不足",
]


# --------------------------------------------------------------------------------------------------
# .txt


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_text_in_each_encoding_is_exactly_the_decoded_file(tmp_path, encoding):
    text = REPORT.replace("\n", "\r\n") + "\n"  # line ends kept as they are: offsets are the file's
    path = write(tmp_path, "报告.txt", text.encode(encoding))
    document = read_document(path)
    assert document == Document(path=str(path), text=text, format="txt", problems=document.problems)
    assert ("GB18030" in " ".join(document.problems)) == (encoding == "gb18030")


def test_undecidable_text_is_refused_never_replaced(tmp_path):
    path = write(tmp_path, "报告.txt", "全年受理".encode() + b"\x80\xff\x80\xfe")
    fails(path, "encoding", "无法确定文本编码", "undecidable")


def test_binary_file_named_txt_is_refused(tmp_path):
    path = write(tmp_path, "data.txt", bytes(range(1, 32)) * 40)
    fails(path, "wrong-type", "不像文本文件")


@pytest.mark.parametrize("name", ["a.txt", "a.docx", "a.html", "a.pdf"])
@pytest.mark.parametrize("content", [b"", b"  \r\n\t \n", codecs.BOM_UTF8 + b" \n", " \n".encode("utf-16")])
def test_empty_file(tmp_path, name, content):
    fails(write(tmp_path, name, content), "empty", "文件为空", "empty file")


# --------------------------------------------------------------------------------------------------
# wrong or unknown type, missing, too large


def test_unknown_extension(tmp_path):
    fails(write(tmp_path, "台账.xlsx", b"PK\x03\x04"), "unsupported", "不支持的文件类型", ".xlsx")
    fails(write(tmp_path, "README", b"text"), "unsupported", "没有扩展名")


def test_missing_file_and_folder(tmp_path):
    fails(tmp_path / "nowhere.docx", "not-found", "文件不存在")
    (tmp_path / "folder.pdf").mkdir()
    fails(tmp_path / "folder.pdf", "unreadable", "文件夹")


def ole(stream_name: str) -> bytes:
    return documents.OLE_MAGIC + b"\x00" * 504 + stream_name.encode("utf-16-le") + b"\x00" * 512


@pytest.mark.parametrize(
    ("name", "data", "really"),
    [
        ("报告.docx", "<!DOCTYPE html><html><body><p>全年受理案件</p></body></html>", "网页 (HTML)"),
        ("报告.docx", ole("WordDocument"), "旧版 Word 97-2003 (.doc)"),
        ("报告.docx", "全年受理案件123件", "纯文本"),
        ("报告.pdf", make_docx(p(r("正文"))), "Word 文档 (.docx)"),
        ("报告.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "PNG 图片"),
        ("报告.txt", make_pdf([["全年受理案件"]]), "PDF 文件"),
        ("报告.html", make_pdf([["全年受理案件"]]), "PDF 文件"),
        ("报告.txt", "<html><head><title>报告</title></head><body>全年</body></html>", "网页 (HTML)"),
        ("报告.docx", b"{\\rtf1\\ansi 2025}", "RTF 文档"),
    ],
)
def test_content_that_does_not_match_the_extension_says_what_it_is(tmp_path, name, data, really):
    path = write(tmp_path, name, data)
    fails(path, "wrong-type", "扩展名与实际格式不符", really)


def test_xlsx_renamed_docx(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", "<workbook/>")
    fails(write(tmp_path, "报告.docx", buffer.getvalue()), "wrong-type", "Excel 工作簿 (.xlsx)")


def test_too_long_a_text_is_refused_once_read(tmp_path, monkeypatch):
    """Below the file size limit, a text far longer than any report (reports run together, a log) is
    refused with its length: the check's time grows with the text."""
    monkeypatch.setattr(documents, "MAX_TEXT_CHARS", 1000)
    assert read_document(write(tmp_path, "ok.txt", "全" * 1000)).text == "全" * 1000
    fails(write(tmp_path, "long.txt", "全" * 1001), "too-large", "文字过多", "1,001 字")
    fails(write(tmp_path, "long.docx", make_docx(p(r("全" * 1001)))), "too-large", "文字过多")


def test_too_large_file_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "MAX_FILE_BYTES", 1000)
    fails(write(tmp_path, "big.txt", "全" * 1000), "too-large", "文件过大", "上限")


# --------------------------------------------------------------------------------------------------
# .docx

TRACKED = (
    p(r("一、主要成效")),
    p(
        r("全年共受理行政复议案件"),
        '<w:del w:id="1" w:author="审核人"><w:r><w:delText>120</w:delText></w:r></w:del>',
        '<w:ins w:id="2" w:author="审核人">' + r("123") + "</w:ins>",
        r("件，办结118件。"),
    ),
    # The paragraph mark is deleted: accepted, the two paragraphs are one.
    p(r("开展普法宣传活动"), ppr='<w:pPr><w:rPr><w:del w:id="3" w:author="审核人"/></w:rPr></w:pPr>'),
    p(r("56场。")),
    # A moved sentence reads where it was moved to.
    p('<w:moveFrom w:id="4" w:author="审核人">' + r("覆盖群众1.2万人次。") + "</w:moveFrom>", r("其他工作。")),
    p('<w:moveTo w:id="5" w:author="审核人">' + r("覆盖群众1.2万人次。") + "</w:moveTo>"),
)


def test_docx_tracked_changes_read_as_accepted_with_a_notice(tmp_path):
    document = read_document(write(tmp_path, "草稿.docx", make_docx("".join(TRACKED))))
    assert document.text == (
        "一、主要成效\n全年共受理行政复议案件123件，办结118件。\n开展普法宣传活动56场。\n其他工作。\n覆盖群众1.2万人次。"
    )
    assert document.format == "docx"
    (notice,) = document.problems
    assert "tracked changes" in notice and "保留插入 1 处" in notice and "舍去删除 1 处" in notice


def test_docx_comments_headers_fields_and_fallbacks_are_not_text(tmp_path):
    body = (
        p(
            '<w:commentRangeStart w:id="0"/>',
            r("办结率95.9%"),
            '<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>',
        )
        + p(
            r("见第"),
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
            r("3"),
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
            r("页"),
        )
        + p(
            '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>'
            + p(r("文本框内容"))
            + "</w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent>"
            + p(r("文本框内容"))
            + "</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
        )
        + p(r("甲"), "<w:r><w:tab/></w:r>", r("乙"), "<w:r><w:br/><w:t>丙</w:t></w:r>")
        + p(r("注释"), '<w:r><w:footnoteReference w:id="1"/></w:r>')
    )
    parts = {
        "word/comments.xml": f'<w:comments xmlns:w="{W}"><w:comment w:id="0">{p(r("此数据请再核实 99"))}</w:comment></w:comments>',
        "word/header1.xml": f'<w:hdr xmlns:w="{W}">{p(r("页眉 2024"))}</w:hdr>',
        "word/footnotes.xml": f'<w:footnotes xmlns:w="{W}"><w:footnote w:id="1">{p(r("脚注 7"))}</w:footnote></w:footnotes>',
    }
    document = read_document(write(tmp_path, "报告.docx", make_docx(body, parts)))
    assert document.text == "办结率95.9%\n见第3页\n文本框内容\n甲\t乙\n丙\n注释"
    notices = " ".join(document.problems)
    assert "批注 (comments) 1 条" in notices and "脚注" in notices
    assert "tracked changes" not in notices


def test_docx_tables_in_document_order_and_deleted_rows_dropped(tmp_path):
    def cell(*paragraphs: str) -> str:
        return "<w:tc>" + "".join(p(r(x)) for x in paragraphs) + "</w:tc>"

    table = (
        "<w:tbl><w:tr>" + cell("类别") + cell("件数") + "</w:tr>"
        "<w:tr>" + cell("行政复议") + cell("123") + "</w:tr>"
        '<w:tr><w:trPr><w:del w:id="9" w:author="x"/></w:trPr>' + cell("已删除") + cell("9") + "</w:tr>"
        "<w:tr>" + cell("行政诉讼", "（一审）") + cell("45") + "</w:tr></w:tbl>"
    )
    document = read_document(write(tmp_path, "报告.docx", make_docx(p(r("表1")) + table + p(r("表后正文")))))
    assert document.text == "表1\n类别\t件数\n行政复议\t123\n行政诉讼 （一审）\t45\n表后正文"
    assert "舍去被删除的表格行 1 行" in document.problems[0]


def test_strict_ooxml_namespace(tmp_path):
    data = make_docx(p(r("严格格式正文"))).replace(W.encode(), b"http://purl.oclc.org/ooxml/wordprocessingml/main")
    assert read_document(write(tmp_path, "strict.docx", data)).text == "严格格式正文"


def test_encrypted_docx(tmp_path):
    fails(write(tmp_path, "加密.docx", ole("EncryptedPackage")), "encrypted", "文件已加密", "取消密码")


def test_truncated_docx(tmp_path):
    data = make_docx(p(r("正文" * 500)))
    fails(write(tmp_path, "断.docx", data[: len(data) // 2]), "corrupt", "损坏", "corrupt")


def test_docx_with_damaged_compressed_body(tmp_path):
    data = bytearray(make_docx(p(r("全年受理案件123件" * 200))))
    start = data.index(b"word/document.xml") + len("word/document.xml") + 40
    data[start : start + 60] = b"\x00" * 60
    fails(write(tmp_path, "坏.docx", bytes(data)), "corrupt", "损坏")


def test_docx_without_body_part(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
    fails(write(tmp_path, "空壳.docx", buffer.getvalue()), "corrupt", "word/document.xml")


def test_docx_entity_declarations_refused(tmp_path):
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("word/document.xml", bomb)
    fails(write(tmp_path, "bomb.docx", buffer.getvalue()), "corrupt", "DOCTYPE/ENTITY")


def test_docx_without_text(tmp_path):
    fails(write(tmp_path, "空.docx", make_docx(p() + p(r("  ")))), "empty", "文件为空")


# --------------------------------------------------------------------------------------------------
# .html

PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>某街道2025年法治政府建设年度报告_政务公开</title>
<style>.nav {{ color: red }} /* 2024 */</style>
<script>var views = 12345; document.write("访问量");</script></head>
<body>
<div class="header"><a href="/">首页</a><a href="/zwgk">政务公开</a><a href="/hdjl">互动交流</a></div>
<ul class="nav"><li><a href="/1">机构概况</a></li><li><a href="/2">政策文件</a></li></ul>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 法治政府建设</div>
<h1>某街道2025年法治政府建设年度报告</h1>
<div class="info">发布时间：2026-01-15 来源：司法所 浏览次数：321</div>
<div id="zoom">
<p style="text-indent:2em">&nbsp;&nbsp;2025年，街道办事处全年共受理行政复议案件<strong>123</strong>件，办结118件，
办结率95.9%。</p>
<p>　　开展普法宣传活动56场，覆盖群众1.2万人次。</p>
<table><tr><td>类别</td><td>件数</td></tr><tr><td>行政复议</td><td>123</td></tr></table>
<p>二、存在的不足<br>一是宣传形式单一。</p>
<div class="bdshare"><a href="#">分享到微信</a><a href="#">分享到微博</a></div>
</div>
<div class="print">【打印本页】【关闭窗口】</div>
<div class="related"><h3>相关链接</h3><ul><li><a href="/a">2024年法治政府建设年度报告</a></li></ul></div>
<div class="footer">主办单位：某街道办事处 电话：010-12345678 京ICP备12345678号</div>
<script>console.log("统计 99");</script>
</body></html>
"""
ARTICLE = (
    "2025年，街道办事处全年共受理行政复议案件123件，办结118件，办结率95.9%。\n"
    "开展普法宣传活动56场，覆盖群众1.2万人次。\n"
    "类别\t件数\n行政复议\t123\n二、存在的不足\n一是宣传形式单一。"
)


def test_html_article_only_from_a_known_container(tmp_path):
    document = read_document(write(tmp_path, "报告.html", PAGE.format(charset="utf-8")))
    assert document.text == ARTICLE
    assert document.format == "html" and document.problems == ()


def test_html_in_gb2312_declared_by_meta(tmp_path):
    path = write(tmp_path, "报告.htm", PAGE.format(charset="gb2312").encode("gb18030"))
    assert read_document(path).text == ARTICLE


def test_html_whose_declared_charset_is_wrong(tmp_path):
    path = write(tmp_path, "报告.html", PAGE.format(charset="utf-8").encode("gb18030"))
    document = read_document(path)
    assert document.text == ARTICLE
    assert "charset mismatch" in document.problems[0]


def test_html_without_a_known_container_uses_text_density(tmp_path):
    page = (
        PAGE.format(charset="utf-8")
        .replace('<div id="zoom">', '<div class="wrapper"><div class="left-column">')
        .replace(
            '<div class="print">',
            '</div><div class="right-column"><a href="/x">要闻</a></div></div><div class="print">',
        )
    )
    document = read_document(write(tmp_path, "报告.html", page))
    assert document.text == ARTICLE
    assert "text density" in document.problems[0]


def test_html_trs_editor_inside_a_generic_content_div(tmp_path):
    page = """<html><body><div class="content"><div class="crumb"><a href="/">首页</a> &gt; 正文</div>
    <div class="TRS_Editor"><p>全年共受理行政复议案件123件。</p><p>开展普法宣传活动56场。</p></div>
    <ul><li><a href="/1">上一篇：某街道2024年度报告</a></li><li><a href="/2">下一篇：某街道2023年度报告</a></li></ul>
    </div></body></html>"""
    document = read_document(write(tmp_path, "报告.html", page))
    assert document.text == "全年共受理行政复议案件123件。\n开展普法宣传活动56场。"


def test_html_page_without_article_text(tmp_path):
    page = '<html><head><script src="app.js"></script></head><body><div id="app"></div></body></html>'
    fails(write(tmp_path, "shell.html", page), "no-text", "没有找到正文文字")


def test_html_broken_markup_is_still_read(tmp_path):
    page = '<div id="zoom"><p>全年共受理<b>行政复议案件<p>123件</div></span></p>办结118件，未闭合的段落'
    text = read_document(write(tmp_path, "broken.html", page)).text
    assert text == "全年共受理行政复议案件\n123件"


# --------------------------------------------------------------------------------------------------
# .pdf


def test_pdf_text_wrapped_lines_joined_page_numbers_dropped(tmp_path):
    lines = wrap(PARAGRAPHS)
    data = make_pdf(
        [
            [*lines[:1], (290, 40, "- 1 -")],
            [(290, 825, "第 2 页"), *lines[1:], (290, 40, "- 2 -")],
        ]
    )
    document = read_document(write(tmp_path, "报告.pdf", data))
    assert document.text == "\n".join(PARAGRAPHS)
    assert "95.9%" in document.text and document.problems == ()


def test_scanned_pdf_without_text_layer(tmp_path):
    fails(write(tmp_path, "扫描件.pdf", make_pdf([[], []], image_pages=(0, 1))), "no-text-layer", "扫描件", "OCR")
    fails(write(tmp_path, "空白.pdf", make_pdf([[]])), "no-text-layer", "没有文字层 (no text layer)")


def test_pdf_with_some_scanned_pages_is_read_with_a_notice(tmp_path):
    data = make_pdf([wrap(PARAGRAPHS), []], image_pages=(1,))
    document = read_document(write(tmp_path, "部分扫描.pdf", data))
    assert document.text == "\n".join(PARAGRAPHS)
    assert "第 2 页" in document.problems[0] and "no text layer" in document.problems[0]


def test_encrypted_pdf(tmp_path):
    data = encrypt_pdf(make_pdf([wrap(PARAGRAPHS)]), "secret", algorithm="AES-256")
    fails(write(tmp_path, "加密.pdf", data), "encrypted", "PDF 已加密", "password-protected")


def test_pdf_encrypted_with_empty_password_is_read_with_a_notice(tmp_path):
    data = encrypt_pdf(make_pdf([wrap(PARAGRAPHS)]), "", algorithm="AES-128")
    document = read_document(write(tmp_path, "权限.pdf", data))
    assert document.text == "\n".join(PARAGRAPHS)
    assert "empty user password" in document.problems[0]


def test_pdf_that_forbids_text_extraction(tmp_path):
    from pypdf.constants import UserAccessPermissions as Allowed

    forbidden = Allowed.all() & ~Allowed.EXTRACT & ~Allowed.EXTRACT_TEXT_AND_GRAPHICS
    data = encrypt_pdf(make_pdf([wrap(PARAGRAPHS)]), "", algorithm="RC4-128", permissions_flag=forbidden)
    fails(write(tmp_path, "禁止复制.pdf", data), "encrypted", "禁止复制文字")


def test_corrupt_pdf(tmp_path):
    fails(write(tmp_path, "坏.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8), "corrupt", "PDF 文件已损坏")


def test_truncated_pdf(tmp_path):
    data = make_pdf([wrap(PARAGRAPHS)] * 3)
    fails(write(tmp_path, "断.pdf", data[: len(data) * 2 // 3]), "corrupt", "PDF 文件已损坏或不完整")


def test_pdf_with_a_damaged_cross_reference_table_is_repaired_with_a_notice(tmp_path):
    data = make_pdf([wrap(PARAGRAPHS)])
    damaged = data[: data.rindex(b"startxref")] + b"startxref\n99\n%%EOF\n"
    document = read_document(write(tmp_path, "修复.pdf", damaged))
    assert document.text == "\n".join(PARAGRAPHS)
    assert "cross-reference" in document.problems[0]


# --------------------------------------------------------------------------------------------------
# folders


def test_documents_in_expands_folders_sorted_and_says_what_was_skipped(tmp_path):
    folder = tmp_path / "reports"
    for name in ["b.pdf", "a.docx", "sub/c.HTML", "sub/d.htm", "notes.xlsx", "~$a.docx", ".hidden.txt", "z.txt"]:
        write(folder, name, "x")
    single = write(tmp_path, "single.md", "x")
    skipped: list[str] = []
    found = documents_in([single, folder, tmp_path / "empty"], skipped)
    assert found[0] == single  # a file given by name is kept, read_document names its problem
    assert [shown for _, shown in found[1:-1]] == [
        f"{folder}/a.docx",
        f"{folder}/b.pdf",
        f"{folder}/z.txt",
        f"{folder}/sub/c.HTML",
        f"{folder}/sub/d.htm",
    ]
    assert found[-1] == tmp_path / "empty"
    assert all(path.is_file() for path, _ in found[1:-1])
    assert any("notes.xlsx" in line and "unsupported" in line for line in skipped)
    assert any("~$a.docx" in line and ".hidden.txt" in line for line in skipped)
    (tmp_path / "nothing").mkdir()
    skipped.clear()
    assert documents_in([tmp_path / "nothing"], skipped) == []
    assert "没有可读的报告文件" in skipped[0]


def test_shown_name_is_used_in_documents_and_errors(tmp_path):
    path = write(tmp_path, "a.txt", "全年受理")
    assert read_document(path, "reports/a.txt").path == "reports/a.txt"
    with pytest.raises(DocumentError, match="^reports/b.txt："):
        read_document(write(tmp_path, "b.txt", ""), "reports/b.txt")


# --------------------------------------------------------------------------------------------------
# speed: a 20,000-character report


def _report(chars: int = 20_000) -> list[str]:
    paragraphs, total = [], 0
    while total < chars:
        paragraph = PARAGRAPHS[0] + PARAGRAPHS[1] + f"第{len(paragraphs)}段。"
        paragraphs.append(paragraph)
        total += len(paragraph)
    return paragraphs


@pytest.mark.parametrize("fmt", ["txt", "docx", "html", "pdf"])
def test_a_20k_character_report_is_read_fast(tmp_path, fmt):
    paragraphs = _report()
    if fmt == "txt":
        data: bytes | str = "\n".join(paragraphs)
    elif fmt == "docx":
        data = make_docx("".join(p(r(x)) for x in paragraphs))
    elif fmt == "html":
        data = PAGE.format(charset="utf-8").replace(
            "<p>　　开展普法宣传活动56场，覆盖群众1.2万人次。</p>", "".join(f"<p>{x}</p>" for x in paragraphs)
        )
    else:
        lines = wrap(paragraphs)
        data = make_pdf([lines[i : i + 48] for i in range(0, len(lines), 48)])
    path = write(tmp_path, f"report.{fmt}", data)
    read_document(path)  # warm-up: imports
    start = time.perf_counter()
    document = read_document(path)
    elapsed = time.perf_counter() - start
    assert len(document.text) >= 20_000
    assert all(x in document.text for x in paragraphs[-3:])
    # Well under 0.1 s on a developer's machine; the bound leaves room for a loaded CI machine.
    assert elapsed < (0.5 if fmt == "pdf" else 0.3), elapsed


def test_html_saved_by_word_in_gb2312(tmp_path):
    page = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office">\r\n<head>\r\n'
        '<meta http-equiv=Content-Type content="text/html; charset=gb2312">\r\n'
        "<style>p.MsoNormal {margin:0cm}</style></head>\r\n"
        "<body lang=ZH-CN><div class=WordSection1 style='layout-grid:15.6pt'>\r\n"
        "<p class=MsoNormal align=center><b><span>某街道2025年法治政府建设年度报告</span></b></p>\r\n"
        "<p class=MsoNormal style='text-indent:32.0pt'><span>全年共受理行政复议案件123件，办结118件，办\r\n"
        "结率95.9%。</span></p>\r\n"
        "<p class=MsoNormal style='text-indent:32.0pt'><span>开展普法宣传活动56场。</span></p>\r\n"
        "</div></body></html>"
    )
    document = read_document(write(tmp_path, "报告.htm", page.encode("gb18030")))
    assert (
        document.text
        == "某街道2025年法治政府建设年度报告\n全年共受理行政复议案件123件，办结118件，办结率95.9%。\n开展普法宣传活动56场。"
    )


def test_html_gov_cn_style_container_and_hidden_parts(tmp_path):
    page = """<html><head><meta charset="utf-8"></head><body><div class="content">
    <div class="pages-date">2026-01-15 10:00 来源：司法局</div>
    <div class="pages_content" id="UCAP-CONTENT"><p>全年共受理行政复议案件123件。</p>
    <p hidden>隐藏段落999件</p><p style="display: none">隐藏段落888件</p><p>开展普法宣传活动56场。</p></div>
    <div class="editor">责任编辑：某某</div></div></body></html>"""
    document = read_document(write(tmp_path, "报告.html", page))
    assert document.text == "全年共受理行政复议案件123件。\n开展普法宣传活动56场。"


def test_docx_with_imported_chunk(tmp_path):
    data = make_docx(p(r("正文")) + '<w:altChunk r:id="rId5" xmlns:r="urn:r"/>')
    assert "altChunk" in read_document(write(tmp_path, "a.docx", data)).problems[0]
    fails(write(tmp_path, "b.docx", make_docx('<w:altChunk r:id="rId5" xmlns:r="urn:r"/>')), "no-text", "altChunk")


def test_pdf_whose_fonts_have_no_unicode_mapping(tmp_path):
    # Glyph codes without a Unicode meaning come out as private-use characters.
    data = make_pdf([["".join(chr(0xE000 + i) for i in range(40))] * 3])
    fails(write(tmp_path, "乱码.pdf", data), "garbled", "乱码")
