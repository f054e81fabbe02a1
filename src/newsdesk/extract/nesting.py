"""Pathological nesting, defused before parsing.

libxml2 stops building a tree 256 levels down and silently drops everything below; a page
of 100,000 nested `<div>`s would lose its text. Tags beyond a sane depth are removed (their
text stays) so the parser sees a tree it can build.
"""

from __future__ import annotations

import re

_TAG = re.compile(r"<!--|<(/?)([a-zA-Z][\w:-]*)[^<>]*?(/?)>")
# Elements libxml2 treats as empty. Not `embed`, `source`, `track` or `wbr`: libxml2 nests what follows
# them (html_tree.repair_markup self-closes them before parsing, which this scan then sees).
_VOID = frozenset(["area", "base", "basefont", "br", "col", "frame", "hr", "img", "input", "isindex", "link", "meta", "param"])
# Elements whose content libxml2 reads as text, not markup: tags inside do not nest.
_RAW_TEXT = frozenset(["script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes"])
_RAW_END = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _RAW_TEXT}
# Elements libxml2 never nests: a second `<body>` merges into the first.
_STRUCTURAL = frozenset(["html", "head", "body"])
# What an opening tag closes when one of these is the innermost open element, repeatedly (libxml2's
# start-tag auto-close, read off lxml 6.1's libxml2 2.14 and checked by tests/extract/test_adversarial.py).
# Only the innermost element is ever closed: `<p>a<p>b` does not nest, `<p><span><p>` does. Without
# this a page of 300 unclosed `<p>` would count as 300 deep and lose its paragraph breaks.
_AUTO_CLOSE: dict[str, frozenset[str]] = {
    new: frozenset(old.split())
    for new, old in {
        "a": "a", "address": "p ul", "blockquote": "p", "caption": "p", "center": "b font i p",
        "colgroup": "caption colgroup p", "dd": "address dir dt menu p pre", "dir": "p", "div": "p",
        "dl": "address dir dt menu p pre", "dt": "address dd dir menu p pre",
        "fieldset": "a h1 h2 h3 h4 h5 h6 legend p pre",
        "form": "address dir dl form h1 h2 h3 h4 h5 h6 menu ol p pre ul",
        "h1": "p", "h2": "p", "h3": "p", "h4": "p", "h5": "p", "h6": "p", "hr": "p",
        "li": "address dl h1 h2 h3 h4 h5 h6 li p pre", "menu": "p ul", "ol": "p",
        "optgroup": "option", "option": "option", "p": "b big h1 h2 h3 h4 h5 h6 i p s small strike tt u",
        "pre": "p ul", "table": "a h1 h2 h3 h4 h5 h6 p pre",
        "tbody": "caption colgroup p tbody td tfoot th thead tr", "td": "a b font i p span td th u",
        "tfoot": "caption colgroup p tbody td th thead tr", "th": "a b font i p span td th u",
        "thead": "caption colgroup", "tr": "caption colgroup p td th tr", "ul": "address dir menu p pre",
    }.items()
}
# An end tag closes the elements open inside its element, but never one of higher priority: in
# `<div><a></div>` the `</div>` closes both, in `<a><div></a>` the `</a>` is ignored (libxml2's rule).
_END_PRIORITY = {"div": 150, "td": 160, "th": 160, "tr": 170, "thead": 180, "tbody": 180, "tfoot": 180, "table": 190}
_DEFAULT_PRIORITY = 100


def _close_by_end_tag(stack: list[str], name: str) -> None:
    priority = _END_PRIORITY.get(name, _DEFAULT_PRIORITY)
    for i in range(len(stack) - 1, -1, -1):
        if stack[i] == name:
            del stack[i:]
            return
        if _END_PRIORITY.get(stack[i], _DEFAULT_PRIORITY) > priority:
            return


def flatten_deep_nesting(text: str, max_depth: int) -> str:
    """Drop tags that would nest beyond `max_depth`: pathological pages parse, their text stays.

    libxml2 silently discards everything below depth 256, so a page of 100,000 nested `<div>` would
    lose its text. This keeps a model of the parser's open-element stack (auto-closed elements, end
    tags closing what they enclose, raw-text elements and comments skipped) and removes the opening
    tags beyond `max_depth`, with their end tags. One linear scan; stack searches are bounded by
    `max_depth`, so the cost stays linear in the page.
    """
    stack: list[str] = []
    skipped: dict[str, int] = {}  # opening tags dropped, by name, whose end tags must go too
    out: list[str] = []
    last = 0
    pos = 0
    while True:
        m = _TAG.search(text, pos)
        if m is None:
            break
        pos = m.end()
        if m.group(0) == "<!--":
            end = text.find("-->", pos)
            if end < 0:
                # libxml2 reads an unterminated comment (like an unterminated script) to the end.
                break
            pos = end + 3
            continue
        closing, name, self_closing = m.group(1), m.group(2).lower(), m.group(3)
        if name in _STRUCTURAL:
            continue
        if closing:
            if skipped.get(name):
                skipped[name] -= 1
                out.append(text[last:m.start()])
                last = m.end()
            else:
                _close_by_end_tag(stack, name)
            continue
        closes = _AUTO_CLOSE.get(name)
        while closes and stack and stack[-1] in closes:
            stack.pop()
        if name in _VOID or self_closing:
            continue
        if name in _RAW_TEXT:
            end_match = _RAW_END[name].search(text, pos)
            pos = end_match.end() if end_match else len(text)
            continue
        if len(stack) >= max_depth:
            skipped[name] = skipped.get(name, 0) + 1
            out.append(text[last:m.start()])
            last = m.end()
        else:
            stack.append(name)
    if last == 0:
        return text
    out.append(text[last:])
    return "".join(out)


# markdown-it stops parsing blocks at its nesting limit (20 levels) and drops the text below it and
# everything after it. A block quote takes a level per `>`, a list two (list and item) per marker,
# and each needs a column of the line's container prefix (`>`, `- `, `1. `, indentation) or two, so
# a prefix of at most this many columns cannot reach the limit, however the lines above it nest.
MARKDOWN_MAX_PREFIX = 16
# Lines whose first characters could all be container prefix; only these are measured.
_MARKDOWN_DEEP_LINE = re.compile(
    r"^(?=[ \t>*+\-\d.)]{9})(?:[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)))+[ \t]*", re.MULTILINE
)


def _cap_prefix(match: re.Match[str]) -> str:
    prefix = match.group(0)
    # The prefix starts its line, so tab stops fall where markdown puts them.
    columns = prefix.expandtabs(4)
    if len(columns) <= MARKDOWN_MAX_PREFIX:
        return prefix
    head = columns[:MARKDOWN_MAX_PREFIX]
    # Never end on half a marker (`1` of `12.`) or on a marker without its space.
    return head[: head.rfind(" ") + 1] if not head.endswith((" ", ">")) else head


def flatten_markdown_nesting(text: str) -> str:
    """Cut each line's container prefix (quotes, list markers, indentation) to `MARKDOWN_MAX_PREFIX`
    columns, so markdown nested past the renderer's limit (`> - ` repeated, lists indented thousands
    deep) renders flatter instead of losing its text. One regex pass; lines within the limit are
    untouched."""
    return _MARKDOWN_DEEP_LINE.sub(_cap_prefix, text)
