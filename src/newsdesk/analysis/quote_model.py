"""Which candidate statements are quotes: a logistic model over features of each candidate the cue rules propose.

The cue rules (analysis/quotes.py) fit the sites they were written on; on sites never tuned on they propose
statements that are not quotes (a document as speaker, a noun read as a verb) and miss verbs their vocabulary lacks.
`find_candidates` proposes the rules' statements and, where none lies, those found when the candidate verbs of
`data/quote_cues.toml` count as speech verbs too; this model keeps a candidate when its probability of being a
labelled quote (speaker and span) is at least the model's threshold.

The model is trained by `bench/quote_model.py` on the labelled parts of `bench/data/quotes` and shipped as
`data/quote_model.json` (weights by feature name); evaluation here is plain Python (a sum of weights and a logistic),
so the same JSON gives the same quotes everywhere. Features describe conventions, never a site: the candidate's
shape (origin, kind, cue class), its speaker (a known person or organisation, a pronoun, a name, a title, a
document, how often the article names it) and its span (length, marks, what follows it).
"""

from __future__ import annotations

import contextvars
import json
import math
import re
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from newsdesk.analysis.entities import Gazetteer, fold_name, looks_like_a_name, name_vocabulary

if TYPE_CHECKING:
    from newsdesk.analysis.quotes import Quote

# Words that make a speaker a document or a medium's text, not someone speaking (`彭博社近日的一篇文章`, `新聞稿`).
_DOCUMENT_WORDS = ("文章", "报道", "报导", "新闻稿", "报告", "声明", "网站", "社论", "评论", "消息", "数据", "研究", "调查")
_OPEN = "“「『\""


def _bucket(name: str, value: int, edges: tuple[int, ...]) -> str:
    for edge in edges:
        if value <= edge:
            return f"{name}<={edge}"
    return f"{name}>{edges[-1]}"


def features(quote: Quote, origin: str, body: list[str], article: str, in_block: int, kind: str | None) -> list[str]:
    """The names of the features a candidate has (all binary): `article` is the whole body folded, `in_block` how
    many candidates its block holds, `kind` the kind of the speaker's entity (None when unknown)."""
    from newsdesk.analysis.quotes import _REPORT_VERBS, _patterns, cues

    c = cues()
    speaker = fold_name(quote.speaker)
    block = body[quote.block]
    names = ["bias", f"origin={origin}", f"kind={quote.kind}"]
    cue = fold_name(quote.cue)
    if not cue:
        names.append("cue=continued")
    elif cue in ("：", ":", "如下"):
        names.append("cue=colon")
    elif cue in _REPORT_VERBS:
        names.append("cue=report")
    elif cue in c.belief:
        names.append("cue=belief")
    elif cue in c.speech:
        names.append("cue=speech")
    else:
        names.append("cue=other")
    names.append(f"via={'none' if not quote.via else 'pronoun' if quote.via in ('他', '她') else 'described'}")
    names.append(f"entity={kind or 'none'}")
    names.append(_bucket("speaker_len", len(speaker), (1, 3, 6, 10)))
    if looks_like_a_name(speaker):
        names.append("speaker_name")
    if speaker.endswith(c.title + c.honorific):
        names.append("speaker_title")
    if speaker.endswith(tuple(w for w in name_vocabulary().organisation_endings if len(w) >= 2)):
        names.append("speaker_organisation")
    if "《" in speaker or "》" in speaker or any(w in speaker for w in _DOCUMENT_WORDS):
        names.append("speaker_document")
    if speaker.startswith("有") or re.match(r"(?:一|某|多)(?:位|名|个|些)", speaker):
        names.append("speaker_unnamed")
    if re.search(r"[、，,的]$|[\d]", speaker):
        names.append("speaker_clause")
    if re.search(r"[A-Za-z]", speaker):
        names.append("speaker_latin")
    names.append(_bucket("speaker_named", article.count(speaker) if speaker else 0, (1, 2, 4)))
    # Neither known, nor a name, a title, an organisation or someone unnamed: the leftovers of a clause (`养老`).
    person_like = kind is not None or any(n in names for n in (
        "speaker_name", "speaker_title", "speaker_organisation", "speaker_unnamed", "speaker_latin"))
    if not person_like:
        names.append("speaker_no_one")
        if quote.via:
            names.append("pronoun_to_no_one")
    # `黃續指`: a surname and a word of manner or time (`续`, `又`) is a clause the rules did not resolve.
    if len(speaker) >= 2 and _patterns()["modifier"].fullmatch(speaker[1:]):
        names.append("speaker_ends_modifier")
    # `《上觀新聞》報導，徐女反映，……`: a report whose words open with another attribution relays someone.
    opening = re.split(r"[，,：:。]", fold_name(quote.text), maxsplit=1)[0]
    if len(opening) < len(quote.text) and opening.endswith(c.speech):
        names.append("span_opens_with_attribution")
    text = quote.text
    names.append(_bucket("span_len", len(text), (8, 20, 50, 120)))
    if text[:1] in _OPEN or (quote.start and block[quote.start - 1] in _OPEN):
        names.append("span_quoted")
    elif any(mark in text for mark in _OPEN):
        names.append("span_holds_quotation")
    if re.search(r"[。！？!?]", text.rstrip("。！？!?”」』\"")):
        names.append("span_sentences")
    after = block[quote.end : quote.end + 2].lstrip("”」』\"")
    names.append("after=end" if not after else "after=stop" if after[0] in "。！？!?；;" else
                 "after=comma" if after[0] in "，," else "after=other")
    if quote.start == 0 or (quote.start == 1 and block[0] in _OPEN):
        names.append("span_opens_block")
    names.append(_bucket("block_candidates", in_block, (1, 2, 4)))
    # Pairs the data showed to matter together: an extra candidate (a verb the rules do not know) with no known
    # speaker, and a report's words relayed by a document.
    if origin == "wide" and quote.entity_id is None:
        names.append("wide_unknown_speaker")
    if quote.kind == "source" and "speaker_document" in names:
        names.append("source_document")
    return names


def probability(weights: dict[str, float], names: list[str]) -> float:
    score = sum(weights.get(name, 0.0) for name in names)
    return 1.0 / (1.0 + math.exp(-score)) if score > -700 else 0.0


@lru_cache(maxsize=1)
def model() -> dict[str, Any]:
    path = resources.files("newsdesk") / "data" / "quote_model.json"
    return json.loads(path.read_text(encoding="utf-8"))


def candidate_features(gazetteer: Gazetteer, body: list[str], candidates: list[tuple[Quote, str]]) -> list[list[str]]:
    def kind(entity_id: str | None) -> str | None:
        entity = gazetteer.entities.get(entity_id or "")
        return entity.kind if entity is not None else ("unknown" if entity_id else None)

    article = fold_name("\n".join(body))
    per_block: dict[int, int] = {}
    for quote, _ in candidates:
        per_block[quote.block] = per_block.get(quote.block, 0) + 1
    return [features(quote, origin, body, article, per_block[quote.block], kind(quote.entity_id))
            for quote, origin in candidates]


def accepted(gazetteer: Gazetteer, body: list[str], candidates: list[tuple[Quote, str]],
             weights: dict[str, float] | None = None, threshold: float | None = None) -> list[Quote]:
    """The candidates the model takes for quotes (the shipped model unless weights are given)."""
    shipped = model()
    weights = shipped["weights"] if weights is None else weights
    threshold = shipped["threshold"] if threshold is None else threshold
    return [quote for (quote, _), names in zip(candidates, candidate_features(gazetteer, body, candidates), strict=True)
            if probability(weights, names) >= threshold]


# --- whom 他/她 stands for -------------------------------------------------------------------------

# Weights to use instead of the shipped speaker model (bench/quote_model.py measures models trained without a part).
SPEAKER_WEIGHTS: contextvars.ContextVar[dict[str, float] | None] = contextvars.ContextVar("speaker_weights", default=None)


def speaker_features(option: dict[str, Any]) -> list[str]:
    """The features of one person a pronoun could stand for (`_Reader._pronoun_options`)."""
    names = ["bias", _bucket("rank", option["rank"], (1, 2, 3)), _bucket("distance", option["distance"], (30, 80, 200))]
    names += [flag for flag in ("spoke", "same_block", "last_speaker", "clause_initial", "sentence_initial",
                                "possessor", "after_preposition", "known_person", "known_other", "name_like", "ruled",
                                "named_since_speaker", "tagged_only", "subject_of_is")
              if option[flag]]
    if not option["agrees"]:
        names.append("disagrees")
    if not (option["known_person"] or option["known_other"] or option["name_like"]):
        names.append("no_name")
    names.append(_bucket("mentions", option["mentions"], (1, 3)))
    if option["rank"] == 1 and option["spoke"]:
        names.append("nearest_spoke")
    return names


def choose_speaker(options: tuple[dict[str, Any], ...]) -> dict[str, Any] | None:
    """The option the speaker model rates highest (the nearest on a tie); None (the rules decide) when there is no
    option or no speaker model in use, or when even the best is unlikely."""
    weights = SPEAKER_WEIGHTS.get()
    # The shipped speaker model is used only when it chose better than the rules leave-one-part-out (bench/quote_model.py).
    if weights is None and model().get("use_speaker_model"):
        weights = model().get("speaker_weights")
    if not weights or not options:
        return None
    scored = [(probability(weights, speaker_features(option)), -option["distance"], number)
              for number, option in enumerate(options)]
    best = max(scored)
    return options[best[2]] if best[0] >= model().get("speaker_threshold", 0.2) else None
