"""When two captures are the same article. Pure functions over evidence; `Archive._decide`
gathers the evidence from SQLite and asks these.

- An address is evidence only when it names one page: home pages, section pages, feeds,
  search and tag listings (`is_trivial_address`) are never identity keys, since every page
  of a site may name them as its canonical link.
- An address alone never folds two texts: a capture naming an article's address is that
  article only when the texts agree (`same_address_verdict`): near-duplicates, a short
  flash contained in the full text, or the same headline over a substantially shared text
  (an edit).
- Near-duplicate bodies fold when their headlines agree (re-posts' wrappers such as `樱花FM┃`
  or `【G时新闻】` aside, `headline_core`) and their dates agree (`near_duplicate_verdict`),
  whatever addresses they name: the same text under another address is another publication
  of one article (a re-post, wire copy, a mirror), kept in `publications` (see
  `archive/publications.py`). A capture agreeing with two articles merges them, so the answer
  does not depend on which capture came first.

Bodies are compared as sets of character 5-grams of their folded text (one script, one
width), estimated with MinHash and found through LSH bands (datasketch computes the
signatures and the band layout; the bands live in SQLite so the index survives restarts).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from newsdesk.archive.text import fold
from newsdesk.model import Article

if TYPE_CHECKING:
    # Importing anything from datasketch runs its package, which imports scipy for the LSH layout
    # (~0.5 s): reading commands never compute a signature, so `signature` imports it when called.
    from datasketch import LeanMinHash, MinHash

NUM_PERM = 128
SHINGLE = 5
# Bodies at least this similar (estimated Jaccard of 5-gram sets) may be one article, if
# titles and dates agree too. Chosen on bench/archive.py's fold set (see bench/RESULTS.md).
SIMILARITY_THRESHOLD = 0.6
# Within one article, a capture this similar to an existing revision is that revision.
SAME_REVISION = 0.9
# A re-post under the very same headline (wrappers aside) may be dated up to this many days after
# the text it copies.
REPOST_DAYS = 3
_TRACKING_PARAMS = re.compile(r"^(?:utm_\w+|from|spm|fbclid|gclid|ref|share|wfr|for|source|s_trk|ocid|cmpid)$", re.I)
_NON_TEXT = re.compile(r"[\W_]+")
# Band layout weighted towards recall (few false negatives): candidates are checked against the
# threshold on their full signatures anyway. bench/archive.py: 25×5 bands miss no pair the default
# 18×7 layout missed 20 of, for ~12 % more comparisons. The layout is datasketch's optimum for
# MinHashLSH(threshold=SIMILARITY_THRESHOLD, num_perm=NUM_PERM, weights=(0.1, 0.9)), written out because
# computing it imports scipy; tests/archive/test_fold_layout.py checks the two agree.
LSH_WEIGHTS = (0.1, 0.9)
BANDS, ROWS = 25, 5
# datasketch 2's default scheme (affine32) keeps 32-bit hash values (native byte order, as stored).
_HASH_DTYPE = "uint32"


def normalize_url(url: str | None) -> str | None:
    """The key two addresses of one page share: no scheme, `www.`, fragment, tracking
    parameters or trailing slash; host in lower case."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if not parts.netloc:
        return None
    host = parts.netloc.lower().removeprefix("www.").removesuffix(":80").removesuffix(":443")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING_PARAMS.match(k)))
    path = re.sub(r"/+$", "", parts.path) or "/"
    return urlunsplit(("", host, path, query, "")).removeprefix("//")


# --- trivial addresses -------------------------------------------------------------------
# A directory index names its directory: /world/index.shtml is the /world section.
_INDEX_FILE = re.compile(r"^(?:index|default|home|main|portal)\.(?:s?html?|php\d?|aspx?|jsp|cgi)$", re.I)
_PAGE_EXTENSION = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cgi)$", re.I)
# Listings: a tag, category, topic, author or search page, with at most its one argument after it.
_LISTING = frozenset({
    "tag", "tags", "category", "categories", "topic", "topics", "label", "labels", "author", "authors", "search",
    "feed", "feeds", "rss", "atom",
})
_FEED_FILE = re.compile(r"^(?:[a-z_-]*\.)?(?:rss|atom|xml|rdf)$|^(?:feed|feeds|rss|atom|rss2)$", re.I)
# Edition and language prefixes before a section: /gb/world, /zh-hans/news, /zhongwen/simp.
_EDITIONS = frozenset({
    "gb", "b5", "big5", "zh", "cn", "tw", "hk", "en", "zh-cn", "zh-tw", "zh-hk", "zh-hans", "zh-hant", "simp", "trad",
    "chinese", "zhongwen", "mandarin", "cantonese",
})
_FEED_HOST = re.compile(r"^(?:feeds?|rss)\.", re.I)
# Pagination, language and filter parameters of a listing: they do not make it a page of its own.
_LISTING_PARAMS = re.compile(r"^(?:page|paged|pg|pageno|pagenum|offset|start|lang|hl|locale|q|query|s|kw|wd|keyword|keywords)$", re.I)
_PAGINATION = re.compile(r"/page/\d+/?$", re.I)
_SECTION_SEGMENT_CHARS = 20


def _section_segment(segment: str) -> bool:
    """`news`, `world`, `breaking-news`, `国际`: a short name without digits and at most one
    separator. Article slugs are longer or carry digits (`putin-meets-xi-in-beijing`, `a103124021`)."""
    stem = _PAGE_EXTENSION.sub("", segment)
    return (
        0 < len(stem) <= _SECTION_SEGMENT_CHARS
        and not any(ch.isdigit() for ch in stem)
        and sum(stem.count(sep) for sep in "-_.") <= 1
    )


def is_trivial_address(url: str | None) -> bool:
    """True for addresses many different pages name as their own: a site's home page, a section
    page (one short segment without digits, or a directory index), a feed, a tag, category,
    topic, author or search listing. Such an address cannot tell two articles apart."""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    if not parts.netloc:
        return False
    if _FEED_HOST.match(parts.netloc):
        return True
    path = _PAGINATION.sub("", unquote(parts.path))
    segments = [s for s in path.split("/") if s]
    if segments and _FEED_FILE.match(segments[-1]):
        return True
    listing = next((i for i, s in enumerate(segments) if s.lower() in _LISTING), None)
    if listing is not None and len(segments) - listing <= 2:
        return True
    indexed = bool(segments) and bool(_INDEX_FILE.match(segments[-1]))
    if indexed:
        segments = segments[:-1]
    # A query that names a page (`?id=7`, `?p=123`) carries digits; `?lang=en`, `?page=2` do not count.
    query_digits = any(
        any(ch.isdigit() for ch in key + value)
        for key, value in parse_qsl(parts.query)
        if not _TRACKING_PARAMS.match(key) and not _LISTING_PARAMS.match(key)
    )
    if query_digits:
        return False
    if not segments:
        return True
    # A directory index is its directory's listing however deep it sits, unless digits name it (/2022/05/index.html).
    if indexed:
        return all(not any(ch.isdigit() for ch in s) for s in segments)
    while segments and segments[0].lower() in _EDITIONS:
        segments = segments[1:]
    return len(segments) <= 1 and all(_section_segment(s) for s in segments)


def identity_key(url: str | None) -> str | None:
    """The normalised address when it names one page; None for no address or a trivial one."""
    if is_trivial_address(url):
        return None
    return normalize_url(url)


def body_text(article: Article) -> str:
    return paragraphs_text(article.body)


def paragraphs_text(body: list[str]) -> str:
    """A body's paragraphs as folding compares them: one script and width, letters and digits only."""
    return _NON_TEXT.sub("", fold("".join(body)))


def shingles(text: str) -> set[bytes]:
    if len(text) <= SHINGLE:
        return {text.encode()} if text else set()
    return {text[i : i + SHINGLE].encode() for i in range(len(text) - SHINGLE + 1)}


# Shingles hashed per call of datasketch's update_batch, which builds a (shingles x NUM_PERM) array of
# 64-bit values: a whole long page at once took GBs (a 6-million-character body, ~4 GB); in slices the
# minimum is the same and the array ~20 MB.
SIGNATURE_SLICE = 20_000


@lru_cache(maxsize=1)
def _permutations() -> Any:
    """datasketch's 128 permutations for the default seed, drawn once per process: a MinHash draws them from a
    seeded generator in its constructor (~0.2 ms, a tenth of a body's signature), always the same ones."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM).permutations


def signature(text: str) -> LeanMinHash:
    """The MinHash of the text's character 5-grams: datasketch's default MinHash (affine32 scheme; a shingle's
    hash is the first 4 bytes, little-endian, of the SHA-1 of its UTF-8), bit for bit, at about two thirds of its
    cost: the permutations are drawn once per process, and the shingles' SHA-1 digests are taken in one pass and
    read by numpy, where datasketch calls a Python function per shingle (`sha1_hash32`). datasketch is given
    those hashes (`hashfunc=int` passes them through) and applies its permutations. tests/archive/test_fold.py
    compares the two."""
    import numpy as np
    from datasketch import LeanMinHash, MinHash

    minhash = MinHash(num_perm=NUM_PERM, permutations=_permutations(), scheme="affine32", hashfunc=int)
    grams = list(shingles(text))
    sha1 = hashlib.sha1
    for start in range(0, len(grams), SIGNATURE_SLICE):
        digests = b"".join([sha1(gram).digest() for gram in grams[start : start + SIGNATURE_SLICE]])
        # Each digest is 20 bytes, five 32-bit words: the first word of each is the shingle's hash.
        minhash.update_batch(np.frombuffer(digests, dtype="<u4")[::5].tolist())
    return LeanMinHash(minhash)


# numpy is imported where signatures are handled, not with the module: reading commands (`list`,
# `show`) import the store, and numpy alone is ~0.1 s of their start-up.
def signature_bytes(minhash: MinHash | StoredSignature) -> bytes:
    import numpy as np

    return np.asarray(minhash.hashvalues, dtype=_HASH_DTYPE).tobytes()


@dataclass(frozen=True, slots=True)
class StoredSignature:
    """A signature read back from `signature_bytes`: the hash values, which is all folding uses of a MinHash.
    Rebuilding a datasketch MinHash from them would draw its 128 permutations again (~3 ms a capture)."""

    hashvalues: Any


def signature_from_bytes(data: bytes) -> StoredSignature:
    """The signature `signature_bytes` stored: computed once, where the capture was extracted (a Ray worker), and
    used again where it is folded."""
    import numpy as np

    return StoredSignature(np.frombuffer(data, dtype=_HASH_DTYPE))


def similarity(stored: bytes, minhash: MinHash | StoredSignature) -> float:
    """Estimated Jaccard similarity of a stored signature and a fresh one (the MinHash estimate)."""
    import numpy as np

    other = np.frombuffer(stored, dtype=_HASH_DTYPE)
    return float(np.count_nonzero(other == np.asarray(minhash.hashvalues, dtype=_HASH_DTYPE))) / NUM_PERM


def band_keys(minhash: MinHash | StoredSignature) -> list[tuple[int, int]]:
    """(band, key) pairs: two signatures that agree on all rows of a band share its key."""
    import numpy as np

    values = np.asarray(minhash.hashvalues, dtype=_HASH_DTYPE)
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8).digest()
        keys.append((band, int.from_bytes(digest, "big", signed=True)))
    return keys


def title_key(title: str | None) -> str:
    return _NON_TEXT.sub("", fold(unicodedata.normalize("NFKC", title or "")))


# Wrappers a re-post puts around the headline it copies: an account or column name before a bar
# (`樱花FM┃`, `有声｜`), a bracketed tag (`【G时新闻】`, `[转载]`), a re-post label (`转载：`), the
# re-poster's name after a spaced dash or a bar (` - 新唐人`, `｜GNews`). A wrapper holding a digit is
# kept: numbers tell daily briefs and series parts apart.
_WRAPPER_PREFIX = re.compile(
    r"^\s*(?:[【\[［〖][^】\]］〗\d]{1,12}[】\]］〗]|[^┃｜|丨\d\s]{1,10}\s*[┃｜|丨]"
    r"|(?:转载|轉載|转发|轉發|转自|轉自|转|轉|原创|原創|独家|獨家|重磅)\s*[:：])\s*"
)
_WRAPPER_SUFFIX = re.compile(r"\s*(?:\s[-–—]\s|[┃｜|丨_])\s*[^-–—┃｜|丨_\d]{1,12}$")


def headline_core(title: str | None) -> str:
    """The headline without the wrappers re-posts add (as many as are stacked), or the headline
    itself when stripping would leave too little to compare."""
    core = (title or "").strip()
    for _ in range(3):
        stripped = _WRAPPER_SUFFIX.sub("", _WRAPPER_PREFIX.sub("", core, count=1), count=1)
        if stripped == core or len(title_key(stripped)) < 6:
            break
        core = stripped
    return core


_PICTURE_SUFFIX = re.compile(r"(?:组图|图|视频|圖|組圖|視頻)$")


def _bigram_set(key: str) -> set[str]:
    return {key[i : i + 2] for i in range(len(key) - 1)} or {key}


def title_similarity(a: str | None, b: str | None) -> float:
    """1.0 for equal titles (after folding and dropping `(图)`-style decoration and re-posts'
    wrappers); else the Jaccard similarity of their character bigrams, or 0.9 when one contains
    the other."""
    plain = _title_similarity(a, b)
    if plain == 1.0:
        return plain
    return max(plain, _title_similarity(headline_core(a), headline_core(b)))


def _title_similarity(a: str | None, b: str | None) -> float:
    ka, kb = _PICTURE_SUFFIX.sub("", title_key(a)), _PICTURE_SUFFIX.sub("", title_key(b))
    if ka == kb:
        return 1.0
    short, long_ = sorted((ka, kb), key=len)
    if len(short) >= 6 and short in long_ and len(short) >= 0.6 * len(long_):
        return 0.9
    sa, sb = _bigram_set(ka), _bigram_set(kb)
    return len(sa & sb) / len(sa | sb)


# Titles this alike name one article (script-conversion variants such as 背着/揹著 differ by a character or two).
SAME_TITLE = 0.7
_NUMBER = re.compile(r"\d+")


def titles_agree(a: str | None, b: str | None) -> bool:
    ka, kb = title_key(a), title_key(b)
    if not ka or not kb:
        return True
    # Numbers tell daily briefs and series parts apart: `7月14日简讯` is not `7月15日简讯`.
    if sorted(_NUMBER.findall(ka)) != sorted(_NUMBER.findall(kb)):
        return False
    return title_similarity(a, b) >= SAME_TITLE


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def dates_agree(a: str | None, b: str | None, slack_days: int = 0) -> bool:
    """Unknown dates agree with anything; known ones must match (within `slack_days`)."""
    da, db = _day(a), _day(b)
    if da is None or db is None:
        return True
    return abs((da - db).days) <= slack_days


# --- what the evidence says ---------------------------------------------------------------
# Bodies shorter than this (folded characters) are not compared: a teaser or an empty page says
# nothing about which text it belongs to.
MIN_TEXT = 30
# A flash (快讯) later expanded at the same address: at most this share of the full text's length...
STUB_SHARE = 0.5
# ... with at least this share of its 5-grams in the full text. Unrelated texts of one outlet share
# boilerplate only (< 0.1 on the dev captures); see bench/archive.py's same-address cases.
STUB_CONTAINED = 0.6
# An edit at the same address under the same headline: at least this share of the shorter text's
# 5-grams survive in the other (a third of the paragraphs rewritten keeps ~0.6).
EDIT_OVERLAP = 0.3


@dataclass(frozen=True, slots=True)
class TextEvidence:
    """Two bodies compared exactly: Jaccard similarity of their 5-gram sets, the share of the
    shorter one's 5-grams found in the longer, and both lengths (folded characters)."""

    similarity: float
    containment: float
    shorter: int
    longer: int


def compare_texts(a: str, b: str) -> TextEvidence:
    """`a` and `b` are `body_text` forms."""
    sa, sb = shingles(a), shingles(b)
    shared = len(sa & sb)
    union = len(sa | sb)
    small = min(len(sa), len(sb))
    return TextEvidence(
        similarity=shared / union if union else 1.0,
        containment=shared / small if small else 1.0,
        shorter=min(len(a), len(b)),
        longer=max(len(a), len(b)),
    )


def same_address_verdict(text: TextEvidence, title: str | None, other_title: str | None) -> str | None:
    """Why a capture naming the same (non-trivial) original address as an earlier version is that
    article, or None when the address is all they share (a mis-set canonical link, a reused URL)."""
    if text.similarity >= SIMILARITY_THRESHOLD:
        return f"same text (similarity {text.similarity:.2f})"
    if text.shorter < MIN_TEXT:
        # Nothing to compare (an empty or teaser capture): the headline must vouch for it.
        return "too little text to compare, titles agree" if titles_agree(title, other_title) else None
    if text.shorter <= STUB_SHARE * text.longer and text.containment >= STUB_CONTAINED:
        return f"a short version contained in the other ({text.containment:.2f} of its text)"
    if titles_agree(title, other_title) and text.containment >= EDIT_OVERLAP:
        return f"edited: titles agree, {text.containment:.2f} of the text kept"
    return None


def near_duplicate_verdict(
    similarity: float,
    key: str | None,
    article_keys: set[str],
    title: str | None,
    article_title: str | None,
    published: str | None,
    article_published: str | None,
) -> str | None:
    """Why a capture whose body is `similarity`-alike to one of an article's versions is that
    article, or None. `key` is the capture's identity key, `article_keys` those of every capture
    the article holds."""
    if similarity < SIMILARITY_THRESHOLD:
        return None
    if not titles_agree(title, article_title):
        return None
    # Another address is another publication of the same text (a re-post, wire copy, a mirror),
    # which may come days later under the very same headline; a day apart is otherwise a time-zone
    # difference only for the very same headline.
    same_headline = title_similarity(title, article_title) == 1.0
    slack = REPOST_DAYS if same_headline else 0
    if not dates_agree(published, article_published, slack):
        return None
    elsewhere = bool(key and article_keys and key not in article_keys)
    return (
        f"near-duplicate body (similarity {similarity:.2f}), title and date agree"
        + (", published at another address" if elsewhere else "")
    )


def capture_time(value: str | None) -> dt.datetime | None:
    """A capture's crawl time (`captured_at`: ISO 8601 from capture logs and WARC-Date, or an
    RFC 2822 date) in UTC; None when absent or unreadable. A time without a zone is taken as UTC."""
    if not value:
        return None
    text = value.strip()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def latest_revision(captures: list[tuple[int, int, str | None]]) -> int:
    """The revision an article shows, from its captures as (seq, revision, captured_at): the one
    that appeared last. A revision appears when it is first captured: by crawl time when every
    capture has one (ties: the later ingested), else by ingest order, since an undated capture
    cannot be placed in time. A copy of an older text captured later (a mirror crawled late)
    does not take the article back to that text."""
    first_seq: dict[int, int] = {}
    first_time: dict[int, dt.datetime] = {}
    timed = True
    for seq, revision, at in captures:
        first_seq[revision] = min(seq, first_seq.get(revision, seq))
        moment = capture_time(at)
        if moment is None:
            timed = False
        elif revision not in first_time or moment < first_time[revision]:
            first_time[revision] = moment
    if timed:
        return max(first_seq, key=lambda revision: (first_time[revision], first_seq[revision]))
    return max(first_seq, key=first_seq.__getitem__)


@dataclass(frozen=True, slots=True)
class FoldDecision:
    """The article a capture belongs to (None: a new one), why, and the other articles it shows
    to be the same (a capture that bridges two versions nobody had connected): they merge into it."""

    article_id: str | None
    reason: str
    similarity: float = 0.0
    merges: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    """An article whose text agrees with a capture's, by address or by body."""

    article_id: str
    order: int  # the article's age (archive sequence): the older keeps its id when two merge
    keys: frozenset[str]  # identity keys of all its captures
    strength: tuple[float, ...]  # higher is stronger evidence: (same address, similarity, containment)
    reason: str


def choose(candidates: list[Candidate], key: str | None) -> FoldDecision:
    """Fold into the strongest candidate, and merge with it every other candidate: a capture whose
    text agrees with two articles shows they are one (their captures may name different addresses:
    those are publications of one article), so whatever order the captures came in, texts that
    agree end up in one article. The oldest article keeps its id."""
    if not candidates:
        return FoldDecision(None, "new article")
    ranked = sorted(candidates, key=lambda c: (tuple(-x for x in c.strength), c.order, c.article_id))
    primary = ranked[0]
    group = sorted(ranked, key=lambda c: (c.order, c.article_id))
    keep = group[0]
    merges = tuple(c.article_id for c in group[1:])
    reason = primary.reason + (f"; the same article as {', '.join(merges)}, merged into it" if merges else "")
    return FoldDecision(keep.article_id, reason, primary.strength[1], merges)


def capture_score(article: Article) -> tuple[float, str]:
    """How complete a capture is: body length (up to a point) and metadata present."""
    fields = {
        "title": article.title, "published": article.published, "outlet": article.outlet,
        "authors": article.authors, "editor": article.editor, "original_url": article.original_url,
        "images": article.images, "language": article.language,
    }
    present = [name for name, value in fields.items() if value]
    chars = sum(len(b) for b in article.body)
    score = min(chars, 20_000) / 100.0 + 10.0 * len(present)
    return score, f"{chars} body characters; {len(present)} of {len(fields)} fields ({', '.join(present) or 'none'})"
