"""Hostile captures for fuzzing: real captures as seeds, the defect classes of issue 9 as
constructions, and mutators that damage either the way captures arrive damaged.

`make_case(rng, seeds, scale)` gives one `Case`: a file name (its extension decides how newsdesk
reads it: page, `.gz`, `.zip`, `.tar.gz`, `.jsonl`, `.warc.gz`), its bytes, how it was made (enough
to rebuild it) and, for constructions, a sentence the article must keep (`expect`) unless it fails
or says it was cut. `scale` sizes the large classes: 1.0 is the issue's sizes (a >10 MB paragraph,
100,000-deep nesting, a 9 MB inline image), the CI slice uses a small fraction.

`check_article` is the contract every case is held to; bench/fuzz.py and tests/test_fuzz.py both
use it, so the benchmark and the CI slice mean the same thing by "passed".
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import random
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from newsdesk.extract.oversize import TRUNCATION_MARK
from newsdesk.model import Article
from tests.fuzz.zips import overlapping_zip, repeated_entry_zip

REPO = Path(__file__).resolve().parents[2]
SEED_FOLDERS = (
    REPO / "examples",
    REPO / "tests" / "data" / "dev" / "captures",
    REPO / "tests" / "data" / "stories-dev" / "captures",
    REPO / "bench" / "data" / "corpus" / "captures",
)


@dataclass(frozen=True, slots=True)
class Seed:
    name: str
    data: bytes

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix or ".txt"


@dataclass(slots=True)
class Case:
    name: str
    data: bytes
    how: str
    # A sentence the body must hold, unless the capture failed or says it was cut.
    expect: str | None = None


@cache
def load_seeds() -> tuple[Seed, ...]:
    """Every real capture bundled with the repository, in name order (deterministic)."""
    seeds = []
    for folder in SEED_FOLDERS:
        if folder.is_dir():
            seeds += [Seed(f"{folder.name}/{p.name}", p.read_bytes()) for p in sorted(folder.iterdir()) if p.is_file()]
    return tuple(seeds)


# --- text the constructions are made of -------------------------------------------------------

_LEADS = (
    "新华社北京3月5日电 国务院总理在人民大会堂作政府工作报告，提出今年经济增长预期目标。",
    "中央社記者台北4日電 行政院今天召開院會，通過多項法案，並宣布擴大防疫措施的範圍。",
    "（大纪元记者李明报导）多名市民周三在市政府门前聚集，要求当局公开调查结果和相关资料。",
)


def canary(rng: random.Random) -> str:
    """A sentence an article would print, numbered so it is found nowhere else."""
    return f"记者在现场看到，第{rng.randrange(10**6):06d}号调查报告已经提交给委员会审议，结果将在下周公布。"


def paragraphs(rng: random.Random, count: int = 3) -> list[str]:
    return [rng.choice(_LEADS) for _ in range(count)]


def _page(body: str, title: str = "市政府公布调查结果", charset: str = "utf-8") -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head>'
        f"<body><h1>{title}</h1>{body}</body></html>"
    )


def _ps(texts: list[str]) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


# --- the defect classes of issue 9, as constructions ----------------------------------------------
# Each takes (rng, scale) and gives (suffix, bytes, expected sentence or None).

Built = tuple[str, bytes, str | None]


def _big(scale: float, full: int) -> int:
    return max(1, int(full * scale))


def huge_data_uri(rng: random.Random, scale: float) -> Built:
    """A saved page with a large inline image before the article (lost the whole body past 8M chars)."""
    payload = base64.b64encode(rng.randbytes(_big(scale, 7_000_000))).decode("ascii")
    end = canary(rng)
    if rng.random() < 0.5:
        body = f'<img src="data:image/png;base64,{payload}">' + _ps([*paragraphs(rng), end])
        return ".html", _page(body).encode(), end
    text = f"# 市政府公布调查结果\n\n![图](data:image/jpeg;base64,{payload})\n\n" + "\n\n".join([*paragraphs(rng), end])
    return ".md", text.encode(), end


def huge_paragraph(rng: random.Random, scale: float) -> Built:
    """One paragraph over 10 MB (it was dropped with error null)."""
    unit = rng.choice(_LEADS)
    repeat = _big(scale, 10_500_000) // len(unit.encode()) + 1
    end = canary(rng)
    text = unit * repeat + end
    if rng.random() < 0.5:
        return ".html", _page(_ps([rng.choice(_LEADS), text])).encode(), end
    return ".md", f"# 标题\n\n{rng.choice(_LEADS)}\n\n{text}\n".encode(), end


def deep_markdown(rng: random.Random, scale: float) -> Built:
    """Markdown nested past the renderer's limit: `> - ` repeated, or ever deeper list indentation."""
    depth = _big(scale, 100_000)
    end = canary(rng)
    kind = rng.choice(["quote-list", "quote", "indent", "mixed"])
    if kind == "quote-list":
        text = "> - " * depth + end
    elif kind == "quote":
        text = ">" * depth + " " + end
    elif kind == "indent":
        lines = [" " * min(i * 2, 40_000) + "- " + rng.choice(_LEADS) for i in range(min(depth, 2_000))]
        text = "\n".join(lines) + "\n\n" + end
    else:
        text = "".join(rng.choice(["> ", "- ", "* ", "1. ", "  "]) for _ in range(depth)) + end
    return ".md", f"# 标题\n\n{rng.choice(_LEADS)}\n\n{text}\n".encode(), end


def utf16_without_bom(rng: random.Random, scale: float) -> Built:
    """UTF-16 with no BOM and no ASCII (was rejected as binary)."""
    end = canary(rng)
    text = "\n\n".join([*paragraphs(rng, 4), end])
    return ".txt", text.encode(rng.choice(["utf-16-le", "utf-16-be"])), end


def wrong_charset(rng: random.Random, scale: float) -> Built:
    """GBK or Big5 bytes declaring another charset (or GB18030/UTF-8 declaring GBK)."""
    end = canary(rng)
    actual = rng.choice(["gbk", "big5", "gb18030", "utf-8"])
    declared = rng.choice([c for c in ("utf-8", "gbk", "big5", "iso-8859-1", "shift_jis", "nonsense") if c != actual])
    texts = [*paragraphs(rng, 4), end]
    if actual == "big5":
        import opencc

        to_trad = opencc.OpenCC("s2t")
        texts = [to_trad.convert(t) for t in texts]
        end = texts[-1]
    page = _page(_ps(texts), title="市政府公布", charset=declared)
    return ".html", page.encode(actual, errors="ignore"), end


def nul_bytes(rng: random.Random, scale: float) -> Built:
    end = canary(rng)
    text = _page(_ps([*paragraphs(rng), end])).encode()
    out = bytearray()
    for i in range(0, len(text), rng.randint(3, 50)):
        out += text[i : i + 50] + b"\x00" * rng.randint(1, 3)
    return ".html", bytes(out), None  # NULs may fall inside the canary's characters


def truncated_utf8(rng: random.Random, scale: float) -> Built:
    text = _page(_ps(paragraphs(rng, 5))).encode()
    cut = rng.randrange(len(text) // 2, len(text))
    while cut < len(text) and (text[cut] & 0xC0) != 0x80:
        cut += 1  # land inside a multibyte character
    return rng.choice([".html", ".txt"]), text[:cut], None


_BROKEN_TAGS = (
    "<ok href>", "<ahref=https://example.com/x>", "<a href=>", "<p<p>", "</", "<", "<!---", "<!-->",
    "<!DOCTYPE", "<![CDATA[", "<![CDATA[ x ]]", "<?xml version='1.0'?>", "<script>", "<style>", "<svg>", "<math>",
    "<title>", "<textarea>", "<template>", "<noscript>", "<plaintext>", "<xmp>", "<iframe>", "</p></p></div>",
    "<a href='javascript:alert(1)'>", "<img src=x onerror=alert(1)>", "<table><tr><td>", "&#0;", "&#xD800;",
    "&#99999999999;", "&nbsp", "&amp", "<div class=\"a\" class=\"b\">", "<base href='//evil'>",
    "<meta http-equiv=refresh content='0;url=javascript:x'>", "<meta charset=\"utf-16\">", "<frameset>",
    "<select><option>", "<br/><br/><br/>", "<p \x00 class=x>", "<ruby>新<rt>xīn</rt></ruby>",
)


def broken_tags(rng: random.Random, scale: float) -> Built:
    """Broken and obfuscated tags, unclosed comments and CDATA, around an article."""
    end = canary(rng)
    pieces = [*paragraphs(rng), end]
    html = _ps(pieces)
    spots = sorted(rng.randrange(len(html)) for _ in range(rng.randint(1, 6)))
    out, last = [], 0
    for spot in spots:
        # Between tags only, so the canary itself stays whole unless a raw-text tag swallows the rest.
        spot = html.find("<", spot)
        if spot < 0:
            break
        out += [html[last:spot], rng.choice(_BROKEN_TAGS)]
        last = spot
    out.append(html[last:])
    return ".html", _page("".join(out)).encode(), None


def nested_tags(rng: random.Random, scale: float) -> Built:
    """100,000 nested tags, closed or not, with the article inside or after them."""
    depth = _big(scale, 100_000)
    tag = rng.choice(["div", "span", "b", "table", "p", "li", "blockquote", "font"])
    end = canary(rng)
    lead = _ps(paragraphs(rng, 2))
    inside = rng.random() < 0.5
    closing = f"</{tag}>" * depth if rng.random() < 0.5 else ""
    body = lead + f"<{tag}>" * depth + (f"<p>{end}</p>" if inside else "") + closing + ("" if inside else f"<p>{end}</p>")
    return ".html", _page(body).encode(), end


def giant_attribute(rng: random.Random, scale: float) -> Built:
    end = canary(rng)
    value = "x" * _big(scale, 5_000_000)
    attribute = rng.choice(["class", "style", "data-state", "href", "title"])
    quote = rng.choice(['"', "'", ""])
    body = f"<div {attribute}={quote}{value}{quote}>" + _ps([*paragraphs(rng), end]) + "</div>"
    return ".html", _page(body).encode(), end


_YAML_HEADS = (
    'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\ntitle: *g\ntags: *g\n",
    "title: !!python/object/apply:os.system ['echo pwned']\n",
    "title: !!python/object/new:subprocess.Popen [['true']]\n",
    "!!python/name:os.system\n",
    "- just\n- a\n- list\n",
    "just a scalar\n",
    "42\n",
    "title: [unclosed\n",
    "title: 'x'\ntitle: 'y'\n",
    "date: 99999999999999999999\ntitle: x\n",
    "date: 2024-13-45T99:99:99\n",
    "\ttitle: tab\n",
    "title: !custom tag\n",
    "? [complex, key]\n: value\n",
    "title: " + "[" * 5_000 + "\n",
    "title: {a: {b: {c: {d: {e: {f: }}}}}}\n",
    "<<: *undefined\n",
    "title: \"\\ud800\"\n",
    "%YAML 9.9\n---\ntitle: x\n",
)


def yaml_front_matter(rng: random.Random, scale: float) -> Built:
    """Front matter that is a YAML bomb, carries python tags, is not a mapping, or does not parse."""
    end = canary(rng)
    head = rng.choice(_YAML_HEADS)
    closing = rng.choice(["---\n", "---\n", "...\n", ""])  # sometimes never closed
    text = f"---\n{head}{closing}\n" + "\n\n".join([*paragraphs(rng), end]) + "\n"
    return ".md", text.encode(), end if closing else None


def jsonl_log(rng: random.Random, scale: float, seeds: tuple[Seed, ...] = ()) -> Built:
    """A capture log whose lines are deep nesting, not objects, bad JSON, or real captures."""
    lines = []
    for _ in range(rng.randint(1, 8)):
        kind = rng.randrange(9)
        if kind == 0:
            lines.append("[" * _big(scale, 100_000))
        elif kind == 1:
            lines.append('{"content": ' + "[" * 5_000 + "]" * 5_000 + "}")
        elif kind == 2:
            lines.append(rng.choice(["42", "null", '"text"', "[]", "{}", "{not json", '{"content": 7}']))
        elif kind == 3:
            lines.append('{"content": "\\ud800\\udc00\\ud800", "url": 5, "fetched_at": []}')
        elif kind == 4:
            lines.append("1" * 5_000)
        elif kind == 5:
            lines.append("")
        elif kind == 6:
            lines.append('{"content": "' + "x" * rng.randint(0, 1000) + '"')
        else:
            seed = rng.choice(seeds) if seeds else None
            content = seed.data.decode("utf-8", "replace") if seed else _page(_ps(paragraphs(rng)))
            lines.append(json.dumps({"url": "https://example.com/a", "fetched_at": "2024-01-01T00:00:00Z",
                                     "content": content}, ensure_ascii=rng.random() < 0.5))
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    if rng.random() < 0.3:
        packed = gzip.compress(data, mtime=0)
        return ".jsonl.gz", packed[: rng.randrange(len(packed) + 1)] if rng.random() < 0.5 else packed, None
    return ".jsonl", data, None


def warc_file(rng: random.Random, scale: float, seeds: tuple[Seed, ...] = ()) -> Built:
    """A WARC (gzipped or not) of real captures, truncated, flipped or garbage."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    gzipped = rng.random() < 0.6
    writer = WARCWriter(out, gzip=gzipped)
    for _ in range(rng.randint(1, 4)):
        body = rng.choice(seeds).data if seeds else _page(_ps(paragraphs(rng))).encode()
        status = rng.choice(["200 OK", "200 OK", "404 Not Found", "301 Moved"])
        ctype = rng.choice(["text/html; charset=utf-8", "text/markdown", "image/png", "", "text/html; charset=big5"])
        headers = StatusAndHeaders(status, [("Content-Type", ctype)] if ctype else [], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://example.com/x", "response", payload=io.BytesIO(body),
                                                      http_headers=headers))
    data = out.getvalue()
    damage = rng.randrange(4)
    if damage == 0:
        data = data[: rng.randrange(len(data))]
    elif damage == 1:
        data = flip(rng, data, ())
    elif damage == 2:
        data = rng.randbytes(rng.randint(0, 4096))
    return (".warc.gz" if gzipped else ".warc"), data, None


def gzip_file(rng: random.Random, scale: float, seeds: tuple[Seed, ...] = ()) -> Built:
    """A `.gz` capture: truncated, with garbage after it, several members, a bomb, or not gzip at all."""
    data = rng.choice(seeds).data if seeds else _page(_ps(paragraphs(rng))).encode()
    packed = gzip.compress(data, mtime=0)
    damage = rng.randrange(6)
    if damage == 0:
        packed = packed[: rng.randrange(len(packed))]
    elif damage == 1:
        packed += rng.randbytes(rng.randint(1, 100))
    elif damage == 2:
        packed += gzip.compress(data[: len(data) // 2], mtime=0)
    elif damage == 3:
        packed = gzip.compress(b"\x00" * _big(scale, 80_000_000), compresslevel=9, mtime=0)  # unpacks past 64 MiB
    elif damage == 4:
        packed = data  # named .gz, not gzip
    else:
        packed = flip(rng, packed, ())
    return ".html.gz", packed, None


def zip_file(rng: random.Random, scale: float, seeds: tuple[Seed, ...] = ()) -> Built:
    """Zips with odd members: traversal and absolute names, duplicates, folders, empty, gzipped,
    unknown compression, encrypted flags, overlapping members; sometimes truncated."""
    kind = rng.randrange(8)
    if kind == 0:
        return ".zip", overlapping_zip(rng.randint(2, _big(scale, 5_000) + 1)), None
    if kind == 1:
        return ".zip", repeated_entry_zip(rng.randint(2, _big(scale, 5_000) + 1)), None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", rng.choice([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])) as archive:
        for number in range(rng.randint(0, 6)):
            body = rng.choice(seeds).data if seeds else _page(_ps(paragraphs(rng))).encode()
            name = rng.choice(["../../etc/passwd", "/abs/page.html", "dup.html", "dup.html", "dir/", ".hidden.html",
                               "空格 名字.md", "a" * 300 + ".html", f"n{number}.html.gz", f"p{number}.md", "\x1b[31m.md"])
            if name.endswith(".gz"):
                body = gzip.compress(body, mtime=0)
            # A fixed date: the same seed gives the same bytes.
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), b"" if name.endswith("/") else body)
    data = bytearray(out.getvalue())
    if kind == 2 and len(data) > 30:
        data[8] = 99  # an unknown compression method in the first local header
    elif kind == 3 and len(data) > 30:
        data[6] |= 1  # the encrypted flag
    elif kind == 4:
        data = data[: rng.randrange(len(data) + 1)]
    elif kind == 5:
        data = bytearray(flip(rng, bytes(data), ()))
    return ".zip", bytes(data), None


def tar_file(rng: random.Random, scale: float, seeds: tuple[Seed, ...] = ()) -> Built:
    """Tars with symlink, hard link, device, FIFO, folder, traversal-named and lying-size members."""
    out = io.BytesIO()
    gzipped = rng.random() < 0.5
    with tarfile.open(fileobj=out, mode="w") as tar:
        for number in range(rng.randint(0, 6)):
            info = tarfile.TarInfo(rng.choice(["../x.html", "/etc/x.md", f"m{number}.html", "dir", "link.html",
                                               f"m{number}.md.gz", ".hidden"]))
            kind = rng.choice([tarfile.REGTYPE, tarfile.REGTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE,
                               tarfile.FIFOTYPE, tarfile.DIRTYPE])
            info.type = kind
            if kind == tarfile.REGTYPE:
                body = rng.choice(seeds).data if seeds else _page(_ps(paragraphs(rng))).encode()
                if info.name.endswith(".gz"):
                    body = gzip.compress(body, mtime=0)
                info.size = len(body)
                tar.addfile(info, io.BytesIO(body))
            else:
                info.linkname = "/etc/passwd"
                tar.addfile(info)
    data = gzip.compress(out.getvalue(), mtime=0) if gzipped else out.getvalue()  # mtime=0: the same bytes each run
    if rng.random() < 0.4:
        data = data[: rng.randrange(len(data) + 1)]
    return ".tar.gz" if gzipped else ".tar", data, None


CONSTRUCTIONS: dict[str, Callable[[random.Random, float], Built]] = {
    "huge-data-uri": huge_data_uri,
    "huge-paragraph": huge_paragraph,
    "deep-markdown": deep_markdown,
    "utf16-no-bom": utf16_without_bom,
    "wrong-charset": wrong_charset,
    "nul-bytes": nul_bytes,
    "truncated-utf8": truncated_utf8,
    "broken-tags": broken_tags,
    "nested-tags": nested_tags,
    "giant-attribute": giant_attribute,
    "yaml-front-matter": yaml_front_matter,
}
# Constructions that cost seconds at full scale: drawn rarely, so a run of 10,000 stays in minutes.
LARGE = frozenset({"huge-data-uri", "huge-paragraph", "deep-markdown", "nested-tags", "giant-attribute"})
CONTAINERS: dict[str, Callable[[random.Random, float, tuple[Seed, ...]], Built]] = {
    "jsonl": jsonl_log,
    "warc": warc_file,
    "gzip": gzip_file,
    "zip": zip_file,
    "tar": tar_file,
}


# --- mutators: bytes in, bytes out ---------------------------------------------------------------

Mutator = Callable[[random.Random, bytes, tuple[Seed, ...]], bytes]


def flip(rng: random.Random, data: bytes, seeds: tuple[Seed, ...]) -> bytes:
    """Flip bits at a few places (or a run of bytes)."""
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        at = rng.randrange(len(out))
        out[at] ^= 1 << rng.randrange(8)
    return bytes(out)


def splice(rng: random.Random, data: bytes, seeds: tuple[Seed, ...]) -> bytes:
    """The head of this capture and the tail of another."""
    other = rng.choice(seeds).data if seeds else data
    return data[: rng.randint(0, len(data))] + other[rng.randint(0, len(other)) :]


def truncate(rng: random.Random, data: bytes, seeds: tuple[Seed, ...]) -> bytes:
    return data[: rng.randint(0, len(data))]


def repeat(rng: random.Random, data: bytes, seeds: tuple[Seed, ...]) -> bytes:
    """A slice repeated many times (tables of tables, runaway templates)."""
    if not data:
        return data
    start = rng.randrange(len(data))
    piece = data[start : start + rng.randint(1, 2_000)]
    times = rng.randint(2, max(2, 2_000_000 // max(1, len(piece))))
    return data[:start] + piece * times + data[start:]


_ENCODINGS = ("gbk", "gb18030", "big5", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "shift_jis", "euc-kr",
              "latin-1", "utf-8-sig", "cp1252", "hz", "iso2022_jp")


def swap_encoding(rng: random.Random, data: bytes, seeds: tuple[Seed, ...]) -> bytes:
    """Re-encode the text in another encoding (characters it lacks dropped), its labels unchanged."""
    text = data.decode("utf-8", "replace")
    return text.encode(rng.choice(_ENCODINGS), errors=rng.choice(["ignore", "replace", "xmlcharrefreplace"]))


_FRAGMENTS = (
    *_BROKEN_TAGS, "\x00", "\x00" * 100, "\ufeff", "\u202e", "\u200b" * 50, "\x1b[2J\x1b]8;;http://x\x07", "[/bold]",
    "[link=http://evil]x[/link]", "](javascript:alert(1))", "\r", "\r\n" * 50, "\t" * 100, "---\n", "---\ntitle: x\n---\n",
    "> - > - > - ", "    " * 50 + "- ", "# ", "=" * 80, "|" * 100, "<!--", "-->", "]]>", "```", "$$", "\\" * 100,
    "\udcff", "\ud800", "𠀀" * 20, "원문", "Ω≈ç√", "data:image/png;base64,", "<meta charset='big5'>",
    "Content-Type: text/html; charset=gbk\r\n\r\n", "WARC/1.0\r\n", "{\"content\": ", "PK\x03\x04", "\x1f\x8b",
)


def insert_fragment(rng: random.Random, data: bytes, seeds: tuple[Seed, ...]) -> bytes:
    """Hostile fragments dropped in at random places."""
    out = data
    for _ in range(rng.randint(1, 5)):
        at = rng.randint(0, len(out))
        out = out[:at] + rng.choice(_FRAGMENTS).encode("utf-8", "surrogatepass") + out[at:]
    return out


def delete_span(rng: random.Random, data: bytes, seeds: tuple[Seed, ...]) -> bytes:
    if not data:
        return data
    start = rng.randrange(len(data))
    return data[:start] + data[start + rng.randint(1, 5_000) :]


def shuffle_lines(rng: random.Random, data: bytes, seeds: tuple[Seed, ...]) -> bytes:
    lines = data.split(b"\n")
    rng.shuffle(lines)
    return b"\n".join(lines)


MUTATORS: dict[str, Mutator] = {
    "flip": flip,
    "splice": splice,
    "truncate": truncate,
    "repeat": repeat,
    "swap-encoding": swap_encoding,
    "insert-fragment": insert_fragment,
    "delete-span": delete_span,
    "shuffle-lines": shuffle_lines,
}


# --- cases ---------------------------------------------------------------------------------------


def make_case(rng: random.Random, seeds: tuple[Seed, ...], scale: float = 1.0, number: int = 0) -> Case:
    """One hostile capture: a mutated seed (most), a construction from the defect classes (mutated
    or not), or a container of either."""
    roll = rng.random()
    if roll < 0.55:
        seed = rng.choice(seeds)
        names = [rng.choice(list(MUTATORS)) for _ in range(rng.randint(1, 3))]
        data = seed.data
        for name in names:
            data = MUTATORS[name](rng, data, seeds)
        return Case(f"{number:05d}-seed{seed.suffix}", data, f"{seed.name} | {' | '.join(names)}")
    if roll < 0.85:
        choices = [k for k in CONSTRUCTIONS if k not in LARGE or rng.random() < 0.08]
        kind = rng.choice(choices)
        suffix, data, expect = CONSTRUCTIONS[kind](rng, scale)
        how = kind
        if rng.random() < 0.25:
            name = rng.choice(["flip", "truncate", "insert-fragment", "swap-encoding"])
            data, expect, how = MUTATORS[name](rng, data, seeds), None, f"{kind} | {name}"
        return Case(f"{number:05d}-{kind}{suffix}", data, how, expect)
    kind = rng.choice(list(CONTAINERS))
    suffix, data, expect = CONTAINERS[kind](rng, scale, seeds)
    return Case(f"{number:05d}-{kind}{suffix}", data, kind, expect)


def cases(count: int, seed: int = 9, scale: float = 1.0) -> list[Case]:
    """`count` cases, the same for the same arguments (one Random, seeded)."""
    rng = random.Random(seed)
    seeds = load_seeds()
    return [make_case(rng, seeds, scale, number) for number in range(count)]


# --- the contract --------------------------------------------------------------------------------


def _squeeze(text: str) -> str:
    return "".join(text.split())


def check_article(article: Article, expect: str | None = None) -> list[str]:
    """What is wrong with an extraction result, by the contract; an empty list when nothing is.

    - an empty body carries an error (or, for a story told in pictures, a warning);
    - "extraction failed: …" is an exception the pipeline caught without expecting it: a bug;
    - a cut is never silent: the truncation marker and a "capture cut" warning go together;
    - a construction's sentence is in the body, unless the capture failed or was cut.
    """
    problems = []
    cut_warning = any("capture cut" in w for w in article.warnings)
    marked = bool(article.body) and article.body[-1].endswith(TRUNCATION_MARK)
    if article.error is None and not article.body and not (article.images and article.warnings):
        problems.append("empty body without an error")
    if article.error is not None and article.error.startswith("extraction failed"):
        problems.append(f"unexpected exception: {article.error}")
    if marked and not cut_warning:
        problems.append("truncation marker without a warning")
    if cut_warning and article.body and not marked:
        problems.append("cut without the truncation marker")
    kept = expect is None or _squeeze(expect) in _squeeze("".join(article.body))
    if not kept and article.error is None and not cut_warning:
        problems.append("silently truncated: the construction's last sentence is not in the body")
    try:
        json.dumps(article.to_record(), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        problems.append(f"record cannot be written: {exc}")
    return problems


def error_reason(error: str) -> str:
    """An error message without its particulars (paths, sizes, offsets), to count errors by kind."""
    head = error.split(":")[0]
    return " ".join("N" if any(ch.isdigit() for ch in word) else word for word in head.split())[:80]
