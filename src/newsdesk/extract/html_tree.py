"""Parsing capture HTML into a tree we can trust: repaired tags, no hidden or ad content.

Mirrors rewrite links into made-up tags (`<ok href>`, `<span href>`) or fuse the tag
name and attribute (`<ahref="…">`) to slip past filters; the text inside is the
article's and stays. Hidden elements, ad slots, scripts and tracking pixels are not
the article and go.
"""

from __future__ import annotations

import re

from lxml import etree, html

from newsdesk.extract.nesting import flatten_deep_nesting

# `<ahref="x">` is `<a href="x">` with the space eaten by a re-publisher.
_FUSED_ANCHOR = re.compile(r"<a(?=href\s*=)", re.IGNORECASE)
# HTML5 empty elements libxml2 does not know are empty: it nests the rest of the parent inside them
# (`<p>a<embed src=x>b</p>` puts "b" in the embed), so dropping an embed dropped the text after it,
# and 300 `<wbr>` made a page 300 deep. Self-closed, they stay empty.
_HTML5_VOID = re.compile(r"<(embed|source|track|wbr|keygen)(\s[^<>]*?)?/?>", re.IGNORECASE)
_DROP_TAGS = (
    "script", "style", "noscript", "iframe", "form", "button", "select", "textarea",
    "svg", "object", "embed", "ins", "template", "input", "canvas", "video", "audio", "map",
    "link", "meta", "head",
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# id/class tokens of ad slots, share widgets and similar furniture inside article bodies.
_JUNK_NAME = re.compile(
    r"div-gpt-ad|adsbygoogle|(?:^|[\s_-])(?:ad|ads|advert\w*|adv|sponsor\w*|banner|gg|"
    r"share\w*|social|sns|qrcode|qr|print|toolbar|tool|breadcrumb|crumbs?|pagination|pager|"
    r"comments?|reply|login|subscribe|newsletter|recommend\w*|related\w*|tags?-?list|"
    # video.js players (`video-js`, `vjs-control-bar`): their controls print "Video Player is loading.", "1x".
    r"video-js|vjs)(?:$|[\s_-])",
    re.IGNORECASE,
)
# Every alternative of _JUNK_NAME holds one of these, so an ASCII name (most are) without any of them,
# lowercased, cannot match: one cheap case-sensitive scan spares most names the case-blind one.
# (Non-ASCII names go straight to _JUNK_NAME: `ſ`, `ı`, `K` match s, i, k case-blind.)
_JUNK_STEM = re.compile(
    r"ad|sponsor|banner|gg|share|social|sns|qr|print|tool|crumb|pag|comment|reply|login|subscribe|newsletter|"
    r"recommend|related|tag|vjs|video-js"
)


def _html_parser(huge_tree: bool) -> html.HTMLParser:
    """lxml.html's parser, with its element classes chosen in C.

    lxml.html picks each element's class in a Python callback (to give `<form>`, `<input>`, `<label>`
    their form-handling subclasses, which nothing here uses), and that callback ran for every
    element the extractor touched: half a million calls on the corpus. The default lookup gives
    every element the same `HtmlElement`, with the same text methods.
    """
    parser = html.HTMLParser(remove_comments=True, remove_pis=True, recover=True, huge_tree=huge_tree)
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=html.HtmlElement, comment=html.HtmlComment, pi=html.HtmlProcessingInstruction, entity=html.HtmlEntity,
    ))
    return parser


_PARSER = _html_parser(huge_tree=False)


def repair_markup(markup: str) -> str:
    markup = _FUSED_ANCHOR.sub("<a ", markup)
    return _HTML5_VOID.sub(r"<\1\2/>", markup)


# libxml2 stops building the tree at this depth and drops what follows; we flatten first instead.
_LIBXML_MAX_DEPTH = 256
_KEEP_DEPTH = 200


# Without XML_PARSE_HUGE libxml2 also ends the tree at the first text or attribute value over this
# many bytes (XML_MAX_TEXT_LENGTH: a paragraph of 3.4 million Chinese characters), losing it and all
# after it. The huge parser has no such limit, but lets trees grow 2048 deep, so it is only ever
# given flattened markup.
LIBXML_TEXT_LIMIT = 10_000_000
_HUGE_PARSER = _html_parser(huge_tree=True)


def _parse(markup: str, parser: html.HTMLParser = _PARSER) -> tuple[html.HtmlElement, bool, bool]:
    """The tree, and whether libxml2 stopped building it: too deep, or a text too large."""
    try:
        root = html.document_fromstring(markup, parser=parser)
    except (etree.ParserError, ValueError):
        return html.fromstring("<html><body></body></html>"), False, False
    messages = [entry.message for entry in parser.error_log]
    too_deep = any("Excessive depth" in message for message in messages)
    too_large = any("limit exceeded" in message for message in messages)
    return root, too_deep, too_large


def parse_html(markup: str) -> html.HtmlElement:
    """Parse (possibly broken, possibly fragmentary) HTML into an element tree."""
    markup = repair_markup(markup)
    if not markup.strip():
        return html.fromstring("<html><body></body></html>")
    root, too_deep, too_large = _parse(markup)
    if too_large:
        root, _, _ = _parse(flatten_deep_nesting(markup, _KEEP_DEPTH), _HUGE_PARSER)
    elif too_deep:
        # Pathological nesting: drop the tags beyond a sane depth so the text survives.
        root, _, _ = _parse(flatten_deep_nesting(markup, _KEEP_DEPTH))
    return root


def is_hidden(el: html.HtmlElement) -> bool:
    style = el.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    return el.get("hidden") is not None or el.get("aria-hidden") == "true"


def is_junk_container(el: html.HtmlElement) -> bool:
    return _is_junk_name(_names(el))


def _names(el: html.HtmlElement) -> str:
    return f"{el.get('id') or ''} {el.get('class') or ''}"


def _is_junk_name(names: str) -> bool:
    if not names.strip() or (names.isascii() and not _JUNK_STEM.search(names.lower())):
        return False
    return bool(_JUNK_NAME.search(names))


def is_tracking_pixel(img: html.HtmlElement) -> bool:
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().lower().removesuffix("px")
        if value in {"0", "1"}:
            return True
    return False


# A junk-named element holding more than this share of the page's text is the page's content, not furniture.
_MOST_OF_PAGE = 0.5
# A junk-named element holding the headline and a paragraph of prose is the article's container: templates
# name it after a feature of the page (`<article class="print">`, hket; `sticky-sns-btns-content`, hket;
# `main ads-rp1-float-right detail`, stheadline; `skinner-ads-enabled`, 8world; an `apd-grid` column,
# appledaily). Ad slots, share bars and related lists hold no `<h1>`.
_HOLDS_ARTICLE = etree.XPath("boolean(.//h1) and boolean(.//p[string-length(normalize-space()) >= 50])")
# Only elements carrying these attributes can be hidden or named as furniture: XPath finds them in C.
_MARKED = etree.XPath("//*[@style or @hidden or @aria-hidden or @id or @class]")
_PIXELS = etree.XPath("//img[@width or @height]")


def clean_tree(root: html.HtmlElement, drop_junk_containers: bool = True) -> html.HtmlElement:
    """Remove what is never article content, in place. Returns the root for chaining."""
    # Whole subtrees that are never text (scripts, forms, media), tails kept: one C call.
    etree.strip_elements(root, *_DROP_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    doomed: list[html.HtmlElement] = []
    doomed_set: set[html.HtmlElement] = set()
    page_chars = 0
    # A page repeats its class names down every list and column: each is judged once.
    junk_names: dict[str, bool] = {}
    for el in _MARKED(root):
        if is_hidden(el):
            doomed.append(el)
            doomed_set.add(el)
            continue
        if not drop_junk_containers:
            continue
        names = _names(el)
        junk = junk_names.get(names)
        if junk is None:
            junk = junk_names[names] = _is_junk_name(names)
        if junk and (el.tag.lower() if isinstance(el.tag, str) else "") not in {"html", "body"}:
            if any(ancestor in doomed_set for ancestor in el.iterancestors()):
                # Inside furniture already doomed (a share bar's buttons, an ad slot's frame: three junk names
                # in four): it goes with it, and measuring its text would change nothing.
                continue
            # A furniture word in a class is a hint, not a verdict: `print-area`, `ads-float` and `tool-page`
            # also name the element that holds the article. One that holds most of the page's text is kept.
            page_chars = page_chars or len(root.text_content()) or 1
            if len(el.text_content()) <= page_chars * _MOST_OF_PAGE and not _HOLDS_ARTICLE(el):
                doomed.append(el)
                doomed_set.add(el)
    doomed.extend(img for img in _PIXELS(root) if is_tracking_pixel(img))
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()
    return root
