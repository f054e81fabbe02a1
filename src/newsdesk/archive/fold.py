"""When two captures are the same article: the same original URL, or near-duplicate bodies
whose titles and dates agree.

Bodies are compared as sets of character 5-grams of their folded text (one script, one
width), estimated with MinHash and found through LSH bands (datasketch computes the
signatures and the band layout; the bands live in SQLite so the index survives restarts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
from datasketch import MinHash, MinHashLSH

from newsdesk.archive.text import fold
from newsdesk.model import Article

NUM_PERM = 128
SHINGLE = 5
# Bodies at least this similar (estimated Jaccard of 5-gram sets) may be one article, if
# titles and dates agree too. Chosen on bench/archive.py's fold set (see bench/RESULTS.md).
SIMILARITY_THRESHOLD = 0.6
# Within one article, a capture this similar to an existing revision is that revision.
SAME_REVISION = 0.9
_TRACKING_PARAMS = re.compile(r"^(?:utm_\w+|from|spm|fbclid|gclid|ref|share|wfr|for|source|s_trk|ocid|cmpid)$", re.I)
_NON_TEXT = re.compile(r"[\W_]+")
# Band layout weighted towards recall (few false negatives): candidates are checked against the
# threshold on their full signatures anyway. bench/archive.py: 25×5 bands miss no pair the default
# 18×7 layout missed 20 of, for ~12 % more comparisons.
_LSH = MinHashLSH(threshold=SIMILARITY_THRESHOLD, num_perm=NUM_PERM, weights=(0.1, 0.9))
BANDS, ROWS = _LSH.b, _LSH.r
# datasketch 2's default scheme (affine32) keeps 32-bit hash values.
_HASH_DTYPE = np.uint32


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


def body_text(article: Article) -> str:
    return _NON_TEXT.sub("", fold("".join(article.body)))


def shingles(text: str) -> set[bytes]:
    if len(text) <= SHINGLE:
        return {text.encode()} if text else set()
    return {text[i : i + SHINGLE].encode() for i in range(len(text) - SHINGLE + 1)}


def signature(text: str) -> MinHash:
    minhash = MinHash(num_perm=NUM_PERM)
    minhash.update_batch(list(shingles(text)))
    return minhash


def signature_bytes(minhash: MinHash) -> bytes:
    return np.asarray(minhash.hashvalues, dtype=_HASH_DTYPE).tobytes()


def similarity(stored: bytes, minhash: MinHash) -> float:
    """Estimated Jaccard similarity of a stored signature and a fresh one (the MinHash estimate)."""
    other = np.frombuffer(stored, dtype=_HASH_DTYPE)
    return float(np.count_nonzero(other == np.asarray(minhash.hashvalues, dtype=_HASH_DTYPE))) / NUM_PERM


def band_keys(minhash: MinHash) -> list[tuple[int, int]]:
    """(band, key) pairs: two signatures that agree on all rows of a band share its key."""
    values = np.asarray(minhash.hashvalues, dtype=_HASH_DTYPE)
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8).digest()
        keys.append((band, int.from_bytes(digest, "big", signed=True)))
    return keys


def title_key(title: str | None) -> str:
    return _NON_TEXT.sub("", fold(unicodedata.normalize("NFKC", title or "")))


_PICTURE_SUFFIX = re.compile(r"(?:组图|图|视频|圖|組圖|視頻)$")


def _bigram_set(key: str) -> set[str]:
    return {key[i : i + 2] for i in range(len(key) - 1)} or {key}


def title_similarity(a: str | None, b: str | None) -> float:
    """1.0 for equal titles (after folding and dropping `(图)`-style decoration); else the
    Jaccard similarity of their character bigrams, or 0.9 when one contains the other."""
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


@dataclass(frozen=True, slots=True)
class FoldDecision:
    article_id: str | None
    reason: str
    similarity: float = 0.0


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
