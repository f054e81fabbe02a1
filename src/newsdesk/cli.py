"""The `newsdesk` command."""

from __future__ import annotations

import html
import json
import os
import re
import sqlite3
import sys
import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import quote, urlsplit

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

# Only what `--help` needs is imported here: each command imports the archive, extraction and analysis
# modules it uses (they bring in lxml, trafilatura, numpy, OpenCC, rjieba), so `newsdesk --help` and
# reading commands start quickly. tests/test_cli_startup.py checks what `import newsdesk.cli` loads.
from newsdesk.archive import DEFAULT_DB

if TYPE_CHECKING:
    from newsdesk.analysis.stories import Analysis
    from newsdesk.archive.ingest import IngestSummary
    from newsdesk.archive.store import Archive, ArticleRow
    from newsdesk.model import Article
    from newsdesk.sources.files import Skipped

# Errors a user can cause (bad arguments, a bad --db, full or read-only storage) and fix: one line and
# exit code 2. Anything else is a bug, reported in one line too (NEWSDESK_DEBUG=1 shows the traceback).
def user_errors() -> tuple[type[BaseException], ...]:
    from newsdesk.archive.export import ExportError
    from newsdesk.archive.store import ArchiveError
    from newsdesk.archive.text import QueryError

    return (ArchiveError, ExportError, QueryError, sqlite3.Error, OSError, UnicodeError, OverflowError)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# Characters a terminal acts on instead of showing: C0 and C1 controls (ESC opens colour, cursor, title
# and OSC 8 hyperlink sequences), DEL, and the bidirectional controls that reorder what is shown.
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _show_control(match: re.Match[str]) -> str:
    char = match.group()
    if char in "\t\n\r\u2028\u2029":
        return " "
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def visible(text: str) -> str:
    """`text` with every control character shown as its escape (`\\x1b`, `\\u202e`) and line breaks
    and tabs as spaces, so it can go to a terminal and is still there to read."""
    return _UNSHOWABLE.sub(_show_control, text)


def terminal(value: object) -> str:
    """Any string that comes from a capture, an archive or a user, made safe for Rich markup: control
    characters shown as escapes (see `visible`), `[…]` markup escaped. Every such string printed through
    Rich passes here, or through `cell`."""
    return escape(visible(str(value)))


def cell(value: object) -> Text:
    """A table cell holding such a string: `Text` is never read as markup or emoji codes, so the cell
    shows exactly the (visible) text, a trailing backslash included."""
    return Text(visible(str(value)))


def _console(stderr: bool = False, soft_wrap: bool | None = None, highlight: bool = True) -> Console:
    # emoji=False: `:flag_cn:` in a title or a file name is text, not an emoji code.
    # On stderr, messages are never wrapped: a message naming a long path stays one line.
    soft_wrap = stderr if soft_wrap is None else soft_wrap
    return Console(stderr=stderr, soft_wrap=soft_wrap, highlight=highlight, emoji=False)


def error_message(exc: BaseException) -> str:
    """What went wrong, for the user, in one line."""
    if isinstance(exc, sqlite3.Error):
        from newsdesk.archive.store import describe

        return describe(exc)
    if isinstance(exc, UnicodeError):
        return f"an argument or a file name is not valid UTF-8 text ({exc.reason}): give it in UTF-8"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    if isinstance(exc, OverflowError):
        return f"a number or date is out of range ({exc})"
    return str(exc) or type(exc).__name__


class _Commands(TyperGroup):
    """newsdesk's command group: turns the errors a user can meet into one-line messages."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        # A usage error before any command (`newsdesk --bogus`) is one line too, not Click's box.
        try:
            return super().parse_args(ctx, args)
        except typer.TyperException as exc:
            # (typer vendors its own click: its usage errors are TyperExceptions with exit code 2.)
            if type(exc).__name__ == "NoArgsIsHelpError" or getattr(exc, "exit_code", None) != 2:
                raise
            _fail(f"{exc.format_message()} (see `newsdesk --help`)", exc)

    def invoke(self, ctx: typer.Context) -> object:
        # Names that are not UTF-8 (PEP 383 escapes) print as \udcXX escapes instead of failing.
        for stream in (sys.stdout, sys.stderr):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors="backslashreplace")
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise
        except typer.TyperException as exc:
            # Click's errors: a usage error (exit code 2) is one line here; asking for help is not an error.
            if type(exc).__name__ == "NoArgsIsHelpError" or exc.exit_code != 2:
                raise
            context = getattr(exc, "ctx", None)
            command = context.command_path if context is not None else "newsdesk"
            _fail(f"{exc.format_message()} (see `{command} --help`)", exc)
        except Exception as exc:
            if isinstance(exc, user_errors()):
                _fail(error_message(exc), exc)
            if os.environ.get("NEWSDESK_DEBUG"):
                raise
            _fail(f"newsdesk failed: {type(exc).__name__}: {exc} (NEWSDESK_DEBUG=1 shows where)", exc, code=1)
        return None


def _fail(message: str, exc: BaseException, code: int = 2) -> NoReturn:
    _console(stderr=True, soft_wrap=True, highlight=False).print(f"[red]error:[/red] {terminal(_one_line(message))}")
    raise typer.Exit(code=code) from exc


app = typer.Typer(
    help="Turn captures of Chinese-language news into clean articles.", no_args_is_help=True, cls=_Commands
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            installed = version("newsdesk")
        except PackageNotFoundError:
            # Run from a source tree that was never installed.
            from newsdesk import __version__ as installed
        typer.echo(f"newsdesk {installed}")
        raise typer.Exit()


@app.callback()
def main(
    _version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """newsdesk: captures in, articles out."""


class OutputFormat(StrEnum):
    jsonl = "jsonl"
    json = "json"
    markdown = "markdown"


# Backslash-escaped in markdown text: what could open a link or an image (`[`, `]`; with those escaped,
# `(` cannot follow one), code, and the backslash itself; in captions, which are alt text and set in
# `*…*`, parentheses and emphasis marks too. `&`, `<` and `>` become HTML entities, so a capture's HTML
# (or an `<javascript:…>` autolink) is shown, never rendered.
_MD_SPECIAL = re.compile(r"([\\`\[\]])")
_MD_CAPTION_SPECIAL = re.compile(r"([\\`\[\]()*_])")
# Characters a markdown link destination cannot hold as they are; percent-encoded (same address).
_URL_SAFE = "/:?#[]@!$&'*+,;=%~-._"


def _markdown_text(text: str) -> str:
    """Body text as markdown that shows exactly this text."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(visible_lines(text), quote=False))


def _markdown_inline(text: str, special: re.Pattern[str] = _MD_SPECIAL) -> str:
    """A one-line field (title, fact, caption) as markdown that shows exactly this text."""
    return special.sub(r"\\\1", html.escape(_one_line(visible(text)), quote=False))


def visible_lines(text: str) -> str:
    """`visible`, keeping line breaks (a body block may hold several lines)."""
    return "\n".join(visible(line) for line in text.split("\n"))


def web_address(url: str | None, relative: bool = False) -> str | None:
    """`url` as a markdown link destination if it is a web address (http or https; with `relative`, a
    reference without a scheme too, which takes the page's), else None: `javascript:`, `data:`, `file:`
    and the like never become links or images."""
    if not url or not url.strip():
        return None
    url = url.strip()
    destination = quote(url, safe=_URL_SAFE)
    try:
        # Both spellings: urlsplit drops tabs and newlines (`java\tscript:`), as browsers do.
        schemes = {urlsplit(url).scheme.lower(), urlsplit(destination).scheme.lower()}
    except ValueError:
        return None
    allowed = {"http", "https", ""} if relative else {"http", "https"}
    if not schemes <= allowed:
        return None
    # A renderer decodes entities in a destination (`jav&#97;script:`): `&` is written `&amp;`, which
    # decodes to the address as it is.
    return destination.replace("&", "&amp;")


def to_markdown(article: Article) -> str:
    """The article as markdown. Everything from the capture is escaped: its text shows as text (no
    HTML, no markup of its own), and only web addresses become links or images."""
    lines = [f"# {_markdown_inline(article.title or '(untitled)')}", ""]
    original = web_address(article.original_url)
    original_text = _markdown_inline(article.original_url or "")
    facts = [
        ("File", article.file), ("Format", article.format), ("Outlet", article.outlet),
        ("Published", article.published), ("Authors", "、".join(article.authors) or None),
        ("Editor", article.editor), ("Language", article.language),
    ]
    lines += [f"- **{label}:** {_markdown_inline(value)}" for label, value in facts if value]
    if original:
        lines.append(f"- **Original:** [{original_text}]({original})")
    elif article.original_url:
        lines.append(f"- **Original:** {original_text} (not a web address, not linked)")
    if article.error:
        lines.append(f"- **Error:** {_markdown_inline(article.error)}")
    lines += [f"- **Warning:** {_markdown_inline(warning)}" for warning in article.warnings]
    lines.append("")
    for block in article.body:
        lines += [_markdown_text(block), ""]
    for image in article.images:
        caption = _markdown_inline(image.caption, _MD_CAPTION_SPECIAL) if image.caption else ""
        src = web_address(image.src, relative=True)
        if src:
            lines.append(f"![{caption}]({src})")
        else:
            lines.append(f"Image not shown (not a web address): {_markdown_inline(image.src or '')}")
        if caption:
            lines += [f"*{caption}*"]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def publications_markdown(publications: list[dict[str, object]]) -> str:
    """An article's publications (Archive.publications with detail) as markdown, escaped as
    `to_markdown` escapes: each outlet and address, then its captures and why each folded."""
    lines = [f"## Publications ({len(publications)})", ""]
    for number, publication in enumerate(publications, 1):
        url = str(publication["url"] or "")
        link = web_address(url)
        address = f"[{_markdown_inline(url)}]({link})" if link else (_markdown_inline(url) or "no address")
        when = [f"{label} {_markdown_inline(str(publication[key]))}"
                for label, key in (("published", "published"), ("first captured", "first_captured")) if publication[key]]
        lines.append(f"{number}. **{_markdown_inline(str(publication['outlet'] or '(unknown outlet)'))}** — {address}"
                     + (f" — {'; '.join(when)}" if when else ""))
        for capture in publication["captures"]:  # type: ignore[attr-defined]
            lines.append(f"   - {_markdown_inline(capture['path'])}: {_markdown_inline(capture['fold_reason'] or '')}")
    return "\n".join(lines) + "\n"


FOLLOW_SYMLINKS_OPTION = typer.Option(
    False, "--follow-symlinks", help="Read what symbolic links point to (by default they are skipped and counted)."
)


def _present(paths: list[Path], console: Console) -> tuple[list[Path], list[Path]]:
    """The paths that exist (a symbolic link counts: the walk decides about it), and the missing ones, reported."""
    present = [p for p in paths if p.exists() or p.is_symlink()]
    missing = [p for p in paths if p not in present]
    for path in missing:
        console.print(f"[red]no such file or folder:[/red] {terminal(path)}")
    return present, missing


def _report_skipped(skipped: Skipped, console: Console) -> None:
    if not skipped:
        return
    links = sum(1 for p in skipped.paths if p.endswith("symbolic link)"))
    console.print(
        f"skipped {len(skipped)} symlinks/special files"
        + (" (--follow-symlinks reads what links point to)" if links else "")
        + ": " + terminal(", ".join(skipped.paths[:3])) + (", …" if len(skipped) > 3 else "")
    )


@app.command()
def extract(
    paths: list[Path] = typer.Argument(..., help="Capture files or folders (searched recursively); .gz is read."),
    output_format: OutputFormat = typer.Option(OutputFormat.jsonl, "--format", "-f", help="jsonl, json or markdown."),
    outlets: list[Path] = typer.Option([], "--outlets", help="Extra outlet registry (TOML), may repeat."),
    follow_symlinks: bool = FOLLOW_SYMLINKS_OPTION,
) -> None:
    """Extract the article from each capture: one JSON object per line by default."""
    from newsdesk.extract import ExtractOptions, extract_capture
    from newsdesk.model import Article
    from newsdesk.sources.files import Skipped, iter_paths, read_capture

    options = ExtractOptions(outlet_files=tuple(str(p) for p in outlets))
    console = _console(stderr=True, soft_wrap=True)
    present, missing = _present(paths, console)
    records = []
    failures = warned = read = 0
    out = sys.stdout
    skipped = Skipped()
    for path in iter_paths(present, follow_symlinks, skipped):
        raw = read_capture(path)
        article = Article(file=raw.path, error=raw.error) if raw.data is None else extract_capture(raw.data, raw.path, options, charset=raw.charset)
        read += 1
        failures += article.error is not None
        warned += bool(article.warnings)
        if output_format is OutputFormat.jsonl:
            out.write(json.dumps(article.to_record(), ensure_ascii=False) + "\n")
        elif output_format is OutputFormat.json:
            records.append(article.to_record())
        else:
            out.write(to_markdown(article) + "\n---\n\n")
    if output_format is OutputFormat.json:
        out.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    if failures:
        console.print(f"[yellow]{failures} capture(s) had errors (see their \"error\" field)[/yellow]")
    if warned:
        console.print(f"[yellow]{warned} capture(s) were read with warnings (see their \"warnings\" field)[/yellow]")
    _report_skipped(skipped, console)
    if missing:
        raise typer.Exit(code=2)
    if read and failures == read:
        # A script must be able to tell "nothing could be read" from success.
        console.print("[red]no capture could be read[/red]")
        raise typer.Exit(code=1)


# --- archive ---------------------------------------------------------------------------------

DB_OPTION = typer.Option(
    Path(DEFAULT_DB), "--db", envvar="NEWSDESK_DB", show_envvar=True,
    help=f"Archive file (SQLite). Default: $NEWSDESK_DB if set, else {DEFAULT_DB} in the current folder.",
)


class Engine(StrEnum):
    local = "local"
    ray = "ray"


class RayApi(StrEnum):
    tasks = "tasks"
    data = "data"


class ListFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


def _open(db: Path, must_exist: bool = True) -> Archive:
    """The archive for a command: one that reads (`must_exist`) opens an archive on read-only
    storage read-only, and never creates one."""
    from newsdesk.archive.store import Archive, ArchiveUnwritable

    if must_exist and not db.is_file():
        _console(stderr=True).print(
            f"[red]no archive at {terminal(db)}[/red]: create one with `newsdesk ingest PATH --db {terminal(db)}`"
        )
        raise typer.Exit(code=2)
    try:
        return Archive(db)
    except ArchiveUnwritable:
        if not must_exist:
            raise
    return Archive(db, read_only=True)


def _check_day(value: str | None) -> str | None:
    """--since/--until: a day, as YYYY-MM-DD (a date-time is cut to its day)."""
    from newsdesk.archive.text import published_day

    if value is not None and published_day(value) is None:
        raise typer.BadParameter(f"{value!r} is not a date: give it as YYYY-MM-DD, e.g. 2022-02-01")
    return value


def _not_blank(value: str) -> str:
    """An id or a name: an empty one would match every id as a prefix, or name nothing."""
    if not value.strip():
        raise typer.BadParameter("is empty: give an id or a name")
    return value


SINCE_OPTION = typer.Option(None, "--since", help="YYYY-MM-DD", callback=_check_day)
UNTIL_OPTION = typer.Option(None, "--until", help="YYYY-MM-DD (inclusive)", callback=_check_day)


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files, folders, .zip/.tar.gz, .jsonl capture logs, WARC files."),
    db: Path = DB_OPTION,
    outlets: list[Path] = typer.Option([], "--outlets", help="Extra outlet registry (TOML), may repeat."),
    follow_symlinks: bool = FOLLOW_SYMLINKS_OPTION,
    engine: Engine = typer.Option(Engine.local, "--engine", help="local: this process; ray: Ray extracts into shards, then they are merged."),
    shards: Path | None = typer.Option(None, "--shards", help="Folder for the shards (--engine ray). Default: DB.shards beside the archive."),
    address: str | None = typer.Option(None, "--address", help="Ray cluster to run on (--engine ray), e.g. 10.0.0.5:6379 or auto. Default: a local Ray."),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Shards extracted at once (--engine ray). Default: every CPU."),
    ray_api: RayApi | None = typer.Option(None, "--ray-api", help="How --engine ray runs the shards' tasks: tasks (plain Ray tasks, the default) or data (a Ray Data pipeline); the same shards."),
    records_per_shard: int | None = typer.Option(None, "--records-per-shard", min=1, help="Split a WARC/JSONL/zip/tar of more captures into shards of this many (--engine ray), so one big file keeps every worker busy. Planning then reads each container once to count its captures."),
) -> None:
    """Add captures to the archive. Re-running is safe: known captures are skipped."""
    if engine is Engine.ray:
        _ingest_ray(paths, db, outlets, follow_symlinks, shards, address, workers, ray_api or RayApi.tasks,
                    records_per_shard)
        return
    if shards is not None or address is not None or workers is not None or ray_api is not None or records_per_shard is not None:
        raise typer.BadParameter("--shards, --address, --workers, --ray-api and --records-per-shard go with --engine ray")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from newsdesk.analysis import analyse_new_articles
    from newsdesk.archive.ingest import ingest as run_ingest
    from newsdesk.archive.store import Archive
    from newsdesk.extract import ExtractOptions
    from newsdesk.sources.files import RawCapture, iter_paths

    # soft_wrap: the summary stays one line per fact when stderr is a file or a pipe.
    console = _console(stderr=True, soft_wrap=True)
    present, missing = _present(paths, console)
    if not present:
        # Nothing to read: no archive is created for it.
        raise typer.Exit(code=2)
    options = ExtractOptions(outlet_files=tuple(str(p) for p in outlets))
    columns = (
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:.0f} captures/s"), TimeElapsedColumn(),
    )
    with Archive(db) as archive, Progress(*columns, console=console, transient=True) as progress:
        total = sum(1 for _ in iter_paths(present, follow_symlinks))
        task = progress.add_task("ingesting", total=total, rate=0.0)
        started = time.perf_counter()
        seen_files: set[str] = set()

        def advance(raw: RawCapture, outcome: object) -> None:
            # The bar counts files; containers hold many captures, so it advances once per file.
            file = raw.path.split("!")[0].split("#")[0]
            done = len(seen_files)
            seen_files.add(file)
            rate = summary_counter[0] / max(time.perf_counter() - started, 1e-9)
            summary_counter[0] += 1
            progress.update(task, completed=max(done, len(seen_files)), rate=rate)

        summary_counter = [1]
        summary = run_ingest(present, archive, options, on_capture=advance, follow_symlinks=follow_symlinks)
        progress.update(task, description="placing articles in stories")
        with archive.writing():
            # Loaded under the write lock: another process may have placed articles since this one began.
            analysis, placed = analyse_new_articles(archive)
        counts = archive.counts()
    _report_ingest(console, "read", summary, db, counts, placed, analysis.refused_aliases)
    if missing:
        raise typer.Exit(code=2)


def _report_ingest(
    console: Console, verb: str, summary: IngestSummary, db: Path, counts: dict[str, int], placed: int, refused_aliases: int,
) -> None:
    """The summary `ingest` and `merge` print: what became of the captures, the archive, the stories."""
    console.print(
        f"captures {verb}: {summary.read}  new articles: {summary.new}  folded: {summary.folded}  "
        f"revisions: {summary.revisions}  unchanged: {summary.unchanged}  failed: {summary.failed}  "
        f"({summary.rate:.0f} captures/s)"
    )
    for reason, count in summary.reasons.most_common(5):
        console.print(f"  failed {count}×: {terminal(reason)}")
    _report_skipped(summary.skipped, console)
    console.print(f"archive {terminal(db)}: {counts['articles']} articles from {counts['captures']} captures, {counts['failures']} failures;"
                  f" {placed} articles placed in stories")
    if refused_aliases:
        console.print(f"  note: {refused_aliases} name pair(s) in these articles name two different known entities;"
                      " not learned (`newsdesk alias list --refused`)")


def _merge_and_place(shard_paths: list[Path], db: Path, console: Console) -> None:
    """Merge shards into the archive and place the new articles in stories, as `ingest` does; report it."""
    from newsdesk.analysis import analyse_new_articles
    from newsdesk.archive.shards import merge_shards
    from newsdesk.archive.store import Archive

    with Archive(db) as archive, console.status("merging shards") as status:
        merged = [0]

        def advance(raw: object, outcome: object) -> None:
            merged[0] += 1
            if merged[0] % 200 == 0:
                status.update(f"merging shards: {merged[0]} captures")

        summary = merge_shards(shard_paths, archive, on_capture=advance)
        status.update("placing articles in stories")
        with archive.writing():
            analysis, placed = analyse_new_articles(archive)
        counts = archive.counts()
    _report_ingest(console, "merged", summary, db, counts, placed, analysis.refused_aliases)


def _ingest_ray(
    paths: list[Path], db: Path, outlets: list[Path], follow_symlinks: bool, shards: Path | None, address: str | None,
    workers: int | None, api: RayApi = RayApi.tasks, records_per_shard: int | None = None,
) -> None:
    """`ingest --engine ray`: plan shards, extract them on Ray (skipping shards already complete), merge."""
    from newsdesk.archive.distributed import extract_to_shards
    from newsdesk.archive.shards import plan
    from newsdesk.extract import ExtractOptions
    from newsdesk.sources.files import Skipped

    console = _console(stderr=True, soft_wrap=True)
    present, missing = _present(paths, console)
    if not present:
        raise typer.Exit(code=2)
    directory = shards if shards is not None else db.with_name(db.name + ".shards")
    options = ExtractOptions(outlet_files=tuple(str(p) for p in outlets))
    skipped = Skipped()
    with console.status("counting the captures of each container" if records_per_shard else "planning shards"):
        units = plan(present, options, follow_symlinks, skipped, records_per_unit=records_per_shard)
    started = time.perf_counter()
    written = [0, 0]  # shards written now, shards found complete

    # The spinner redraws once a second, not Rich's 12.5 times: this process shares the cores with the workers
    # (at 12.5 a second it took 7.5 ms of processor a second, a fifth of what all of Ray's own processes take).
    with console.status(f"extracting {len(units)} shards with Ray", refresh_per_second=1) as status:

        def report(stats: object) -> None:
            written[bool(getattr(stats, "skipped", False))] += 1
            status.update(f"extracting {len(units)} shards with Ray: {sum(written)} done")

        extract_to_shards(units, directory, options, address=address, workers=workers, on_shard=report, api=api.value)
    console.print(f"shards in {terminal(directory)}: {written[0]} written, {written[1]} already complete"
                  f" ({time.perf_counter() - started:.1f} s)")
    _report_skipped(skipped, console)
    _merge_and_place([directory / unit.name for unit in units], db, console)
    if missing:
        raise typer.Exit(code=2)


@app.command()
def merge(
    shards: list[Path] = typer.Argument(..., help="Shard files, or folders of them (merged in name order)."),
    db: Path = DB_OPTION,
) -> None:
    """Merge shards written by `ingest --engine ray` (here or elsewhere) into the archive, as an ingest would."""
    from newsdesk.archive.shards import check_shard, shard_files

    console = _console(stderr=True, soft_wrap=True)
    present, missing = _present(shards, console)
    if missing:
        raise typer.Exit(code=2)
    found = shard_files(present)
    if not found:
        console.print("[red]no shards found[/red] (files named *.parquet, written by `newsdesk ingest --engine ray`)")
        raise typer.Exit(code=2)
    for path in found:
        check_shard(path)  # a bad shard stops the merge before anything is written
    _merge_and_place(found, db, console)


@app.command()
def failures(db: Path = DB_OPTION, output_format: ListFormat = typer.Option(ListFormat.table, "--format", "-f")) -> None:
    """Captures that could not be read or extracted, with the reason."""
    with _open(db) as archive:
        rows = archive.failures()
    if output_format is ListFormat.jsonl:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    table = Table("path", "error", title=f"{len(rows)} failed captures")
    for row in rows:
        table.add_row(cell(row["path"]), cell(row["error"] or ""))
    _console().print(table)


def _highlighted(snippet: str) -> Text:
    """`<b>…</b>` marks from the archive as terminal highlighting, on one line. The snippet's text is
    HTML-escaped (archive.text.snippet), so its marks are the only tags in it."""
    text = Text()
    for i, part in enumerate(snippet.split("<b>")):
        marked, _, rest = part.partition("</b>") if i else ("", "", part)
        if marked:
            text.append(visible(html.unescape(marked)), style="bold yellow")
        text.append(visible(html.unescape(rest)))
    return text


def _print_rows(
    rows: list[ArticleRow], output_format: ListFormat, with_snippet: bool, title: str, caption: str | None = None,
    expanded: dict[str, list[str]] | None = None,
) -> None:
    if output_format is ListFormat.jsonl:
        from newsdesk.records import article_record

        for row in rows:
            record = article_record(row, with_snippet, expanded)
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    table = Table(title=title, caption=caption)
    table.add_column("id", no_wrap=True)
    table.add_column("published", no_wrap=True)
    table.add_column("outlet")
    table.add_column("title", ratio=2, overflow="fold")
    if with_snippet:
        table.add_column("snippet", ratio=3, overflow="fold")
    for row in rows:
        shown = (row.published or "")[:10] or (f"{row.day} (inferred)" if row.day else "")
        cells = [cell(row.id), cell(shown), cell(row.outlet or ""), cell(row.title or "")]
        if with_snippet:
            cells.append(_highlighted(row.snippet or ""))
        table.add_row(*cells)
    _console().print(table)


def _page(shown: int, offset: int, total: int, what: str) -> tuple[str, str | None]:
    """`showing 21–40 of 53 {what}`, and a caption naming the next page when there is one."""
    if shown:
        title = f"showing {offset + 1}–{offset + shown} of {total} {what}"
    else:
        title = f"showing 0 of {total} {what}" + (f" (--offset {offset} is past the last)" if total and offset else "")
    more = offset + shown < total and shown
    return title, (f"next: --offset {offset + shown}" if more else None)


LIMIT_HELP = "How many to show (1–100,000)."
OFFSET_OPTION = typer.Option(0, "--offset", min=0, max=10**12, help="Skip this many first (for the next page).")


def _entity_names(archive: Archive) -> Callable[[str], list[str] | None]:
    from newsdesk.records import entity_names

    return entity_names(archive)


@app.command()
def search(
    query: str = typer.Argument(..., help='Words, "phrases", AND / OR / NOT; either script.'),
    db: Path = DB_OPTION,
    outlet: str | None = typer.Option(None, "--outlet"),
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=100_000, help=LIMIT_HELP),
    offset: int = OFFSET_OPTION,
    exact: bool = typer.Option(False, "--exact", help="Search the words as given, not also the other names of an entity."),
    output_format: ListFormat = typer.Option(ListFormat.table, "--format", "-f"),
) -> None:
    """Full-text search, best matches first (BM25). A name of a known person, place or organisation
    also finds its other names (普丁 finds 普京 and Putin) unless --exact."""
    from newsdesk import records
    from newsdesk.archive.text import QueryError

    with _open(db) as archive:
        try:
            found = records.search(archive, query, outlet, since, until, limit, offset, exact, _entity_names(archive))
            rows, total, expanded = found.rows, found.total, found.expanded
        except QueryError as exc:
            _console(stderr=True).print(f"[red]{terminal(exc)}[/red]")
            raise typer.Exit(code=2) from exc
    if output_format is ListFormat.table:
        for term, names in expanded.items():
            _console(soft_wrap=True, highlight=False).print(f"{terminal(term)} → also searched: {terminal(', '.join(names))}")
    title, caption = _page(len(rows), offset, total, f"results for {terminal(query)}")
    _print_rows(rows, output_format, True, title, caption, expanded=expanded)


@app.command("list")
def list_articles(
    db: Path = DB_OPTION,
    outlet: str | None = typer.Option(None, "--outlet"),
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    limit: int | None = typer.Option(None, "--limit", "-n", min=1, max=100_000, help=LIMIT_HELP + " Default: all."),
    offset: int = OFFSET_OPTION,
    output_format: ListFormat = typer.Option(ListFormat.table, "--format", "-f"),
) -> None:
    """Articles in the archive, oldest first."""
    with _open(db) as archive:
        rows = list(archive.list(outlet=outlet, since=since, until=until, limit=limit, offset=offset))
        total = archive.list_count(outlet=outlet, since=since, until=until)
    title, caption = _page(len(rows), offset, total, "articles")
    _print_rows(rows, output_format, False, title, caption)


@app.command()
def show(
    article_id: str = typer.Argument(..., help="An article id (or a unique prefix of one).", callback=_not_blank),
    db: Path = DB_OPTION,
    captures: bool = typer.Option(False, "--captures", help="List every capture and why the best one was chosen."),
    output_format: OutputFormat = typer.Option(OutputFormat.markdown, "--format", "-f"),
) -> None:
    """One article, as read from its best capture."""
    from newsdesk.model import Article

    with _open(db) as archive:
        try:
            from newsdesk.records import show_record

            info = show_record(archive, archive.resolve_id(article_id))
        except KeyError as exc:
            _console(stderr=True).print(f"[red]{terminal(exc.args[0])}[/red]")
            raise typer.Exit(code=2) from exc
    if output_format is not OutputFormat.markdown:
        sys.stdout.write(json.dumps(info, ensure_ascii=False, indent=2 if output_format is OutputFormat.json else None) + "\n")
        return
    article = Article.from_record(info["article"])
    article.file = info["id"]
    sys.stdout.write(to_markdown(article))
    sys.stdout.write("\n" + publications_markdown(info["publications"]))
    if info.get("quotes"):
        sys.stdout.write("\n## Quotes\n\n" + "".join(
            f"- **{_markdown_inline(q['speaker'])}**"
            + (f" ({_markdown_inline(q['via'])})" if q["via"] else "") + f": {_markdown_inline(q['text'])}\n"
            for q in info["quotes"]))
    if captures:
        console = _console()
        console.print(f"\n[bold]{len(info['captures'])} captures, {info['revisions']} revision(s)[/bold]; {terminal(info['best_reason'] or '')}")
        table = Table("", "path", "rev", "score", "why folded", "completeness")
        for cap in info["captures"]:
            table.add_row("★" if cap["best"] else "", cell(cap["path"]), str(cap["revision"]), str(cap["score"]),
                          cell(cap["fold_reason"] or ""), cell(cap["score_reason"] or ""))
        console.print(table)


@app.command()
def export(
    output: Path = typer.Argument(..., help="File to write: .jsonl, .csv or .parquet (the extension sets the format)."),
    db: Path = DB_OPTION,
    output_format: ExportFormat | None = typer.Option(
        None, "--format", "-f", help="jsonl, csv or parquet; must agree with the file's extension (default: from it, else jsonl)."
    ),
) -> None:
    """Every article, one record each (schema: newsdesk.archive.export)."""
    from newsdesk.archive.export import check_target, format_for, write_export

    console = _console(stderr=True, soft_wrap=True)
    # Checked before the archive is opened, and again by write_export just before writing; an
    # ExportError is a one-line error (see _Commands).
    fmt = format_for(output, output_format.value if output_format else None)
    check_target(output, protected=[db])
    with _open(db) as archive:
        written = write_export(archive.iter_articles(), output, fmt, protected=[archive.path])
    console.print(f"wrote {written} articles to {terminal(output)} ({fmt})")


class CountBy(StrEnum):
    article = "article"
    publication = "publication"


@app.command()
def doctor(
    db: Path = DB_OPTION,
    repair: bool = typer.Option(
        False, "--repair", help="Fix what is safe (full-text index, orphan link rows), after a backup copy; never captures or articles."
    ),
    output_format: ListFormat = typer.Option(ListFormat.table, "--format", "-f"),
) -> None:
    """Check the archive (integrity, schema, full-text index, orphan rows, WAL); exit 1 while problems remain."""
    from newsdesk.archive import doctor as checkup

    if not db.is_file():
        _open(db)  # says there is no archive there, exit code 2
    try:
        found = checkup.diagnose(db)
    except checkup.NotAnArchive as exc:
        _fail(f"{exc}: give another --db", exc)
    console = _console(soft_wrap=True, highlight=False)
    rows: list[checkup.Finding] = list(found.findings)
    closing: list[str] = []
    if repair and found.problems:
        if found.untouchable:
            closing.append(
                f"not repaired: {found.untouchable}. doctor changes nothing in a damaged archive: restore it from a copy,"
                f" or recover what SQLite can read with `sqlite3 {db} .recover | sqlite3 recovered.db`"
            )
        elif not found.repairable:
            closing.append("nothing was changed: what remains needs a person (captures and articles are never deleted)")
        else:
            target = checkup.backup_path(db)
            checkup.backup(db, target)
            done = checkup.repair(db)
            rows += [checkup.Finding("repair", "fixed", line) for line in done]
            closing.append(f"backup of the archive before repair: {target}")
            found = checkup.diagnose(db)
            rows += [checkup.Finding(f.check, f.status, f"after repair: {f.detail}", f.count) for f in found.problems]
    problems = found.problems
    if output_format is ListFormat.jsonl:
        for finding in rows:
            sys.stdout.write(json.dumps(finding.to_record(), ensure_ascii=False) + "\n")
    else:
        table = Table("check", "status", "detail", title=f"newsdesk doctor {terminal(db)}")
        colours = {"ok": "green", "problem": "red", "fixed": "cyan", "note": "yellow"}
        for finding in rows:
            table.add_row(cell(finding.check), Text(finding.status, style=colours.get(finding.status, "")), cell(finding.detail))
        console.print(table)
    err = _console(stderr=True, soft_wrap=True, highlight=False)
    for line in closing:
        err.print(terminal(line))
    if problems:
        hint = "" if repair or found.untouchable else " (`newsdesk doctor --repair` fixes what is safe to fix)"
        err.print(f"[red]{len(problems)} problem(s) remain[/red]{hint}")
        raise typer.Exit(code=1)
    err.print("[green]the archive is healthy[/green]")


@app.command()
def stats(
    db: Path = DB_OPTION,
    output_format: ListFormat = typer.Option(ListFormat.table, "--format", "-f"),
    by: CountBy = typer.Option(CountBy.article, "--by", help="Count articles, or publications (one per outlet's address)."),
) -> None:
    """Articles (or publications) per outlet per month."""
    with _open(db) as archive:
        rows = archive.stats(by.value)
        # Undated articles count in the month their lead gives: how many of each month's those are.
        inferred = archive.stats_inferred() if by is CountBy.article else {}
    counted = f"{by.value}s"
    if output_format is ListFormat.jsonl:
        from newsdesk.records import stats_records

        for record in stats_records(rows, by.value, inferred if by is CountBy.article else None):
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    table = Table("outlet", "month", counted, title=f"{counted} per outlet per month")
    for outlet_name, month, count in rows:
        how_many = inferred.get((outlet_name, month), 0)
        table.add_row(cell(outlet_name or ""), cell(month or ""), f"{count} ({how_many} by inferred day)" if how_many else str(count))
    _console().print(table)


class CopiesFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


@app.command()
def copies(
    db: Path = DB_OPTION,
    outlet: str | None = typer.Option(None, "--outlet", help="Only pairs (or articles) this outlet is part of; any of its names."),
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    article_id: str | None = typer.Option(None, "--article", help="One article: its first publication and the later ones."),
    per_article: bool = typer.Option(False, "--articles", help="Every article published more than once, not the pairs."),
    output_format: CopiesFormat = typer.Option(CopiesFormat.table, "--format", "-f"),
) -> None:
    """Who publishes after whom: per pair of outlets (first → later), the articles and the median lag.

    An article's publications are placed in time by the date-time the capture prints, else its date
    (midnight UTC), else the first crawl time; `timed by` says which. --since/--until select
    articles by their first publication's day."""
    import csv

    from newsdesk.archive.copies import ArticleCopies, article_copies, copied_articles, copy_pairs
    from newsdesk.archive.export import spreadsheet_cell

    with _open(db) as archive:
        if article_id is not None:
            try:
                articles: list[ArticleCopies] | None = [article_copies(archive, archive.resolve_id(article_id))]
            except KeyError as exc:
                _console(stderr=True).print(f"[red]{terminal(exc.args[0])}[/red]")
                raise typer.Exit(code=2) from exc
        elif per_article:
            articles = copied_articles(archive, outlet, since, until)
        else:
            articles = None
            pairs = copy_pairs(archive, outlet, since, until)
    if articles is not None:
        records = [row for a in articles for row in a.rows()]
        columns = ["id", "title", "order", "outlet", "url", "published", "first_captured", "time", "timed_by", "lag_hours",
                   "captures"]
        title = f"{len(articles)} articles published more than once (order 0: the first publication)"
    else:
        records = [row.to_record() for row in pairs]
        columns = ["first", "later", "articles", "timed", "median_lag_hours", "timed_by"]
        title = f"{len(pairs)} pairs of outlets: first publisher → later publisher"
    if output_format is CopiesFormat.jsonl:
        if articles is not None:
            for a in articles:
                sys.stdout.write(json.dumps(a.to_record(), ensure_ascii=False) + "\n")
        else:
            for record in records:
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    if output_format is CopiesFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        for record in records:
            writer.writerow([spreadsheet_cell(v) if isinstance(v, str) else ("" if v is None else v)
                             for v in (record[c] for c in columns)])
        return
    if articles is not None:
        # The terminal gets the short id and one time per publication; jsonl and csv carry every field.
        columns = ["id", "order", "outlet", "url", "time", "timed_by", "lag_hours"]
        records = [{**r, "id": r["id"][:12], "time": r["time"]} for r in records]
    table = Table(*columns, title=title)
    for record in records:
        table.add_row(*(cell(_hours(v) if isinstance(v, float) else ("" if v is None else v)) for v in (record[c] for c in columns)))
    _console().print(table)


@app.command()
def serve(
    db: Path = DB_OPTION,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (127.0.0.1: this machine only)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    allow_ingest: bool = typer.Option(
        False, "--allow-ingest", help="Let visitors upload captures to ingest (otherwise the server is read-only)."
    ),
) -> None:
    """Serve the archive as web pages and a JSON API (/api/), until Ctrl-C."""
    # Opened once as the reading commands open it: a missing, foreign or damaged archive is one line
    # here, an older schema is migrated, and articles not yet in stories are placed.
    with _open(db) as archive:
        _analysis(archive)
    from newsdesk.web.app import serve as run

    shown = f"[{host}]" if ":" in host else host
    _console(stderr=True, soft_wrap=True, highlight=False).print(
        f"newsdesk: serving {terminal(db)} at http://{terminal(shown)}:{port}/"
        + (" (uploads allowed)" if allow_ingest else " (read-only)") + "; Ctrl-C stops"
    )
    run(db, host, port, allow_ingest)


# --- stories and entities --------------------------------------------------------------------

alias_app = typer.Typer(help="Teach newsdesk that two names are one entity.", no_args_is_help=True)
app.add_typer(alias_app, name="alias")


# How long a reading command waits to place new articles in stories before showing them as they stand.
PLACING_WAIT_SECONDS = 2.0


def _analysis(archive: Archive) -> Analysis:
    """The archive's stories, after placing articles that are in none yet, if that can be done
    now. A reading command does not wait for a writer: while another process (an ingest) holds
    the archive, the stories are shown as they stand and the ingest places the rest."""
    from newsdesk.analysis import analyse_new_articles
    from newsdesk.analysis.stories import Analysis
    from newsdesk.archive.store import ArchiveBusy, ArchiveUnwritable

    try:
        archive.begin(wait=PLACING_WAIT_SECONDS)
    except (ArchiveBusy, ArchiveUnwritable) as exc:
        analysis = Analysis(archive)
        waiting = len(analysis.pending())
        if waiting:
            why = "another newsdesk process is writing the archive" if isinstance(exc, ArchiveBusy) else "the archive is read-only here"
            _console(stderr=True).print(f"[yellow]{waiting} article(s) not yet in stories: {why}[/yellow]")
        return analysis
    try:
        analysis, _ = analyse_new_articles(archive)
    except BaseException:
        archive.rollback()
        raise
    archive.commit()
    return analysis


def _rebuild_stories(archive: Archive) -> None:
    from newsdesk.analysis.stories import Analysis

    with archive.writing():
        placed = Analysis(archive).rebuild()
    _console(stderr=True).print(f"{placed} articles placed in stories again")


@app.command()
def stories(
    db: Path = DB_OPTION,
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    entity: str | None = typer.Option(None, "--entity", help="Only stories naming this person, place or organisation."),
    output_format: ListFormat = typer.Option(ListFormat.table, "--format", "-f"),
    rebuild: bool = typer.Option(
        False, "--rebuild", help="Group every article again from nothing (one transaction: an interruption changes nothing)."
    ),
) -> None:
    """Reports of the same event from different outlets, grouped."""
    with _open(db) as archive:
        if rebuild:
            _rebuild_stories(archive)
        rows = _analysis(archive).stories(since=since, until=until, entity=entity)
    if output_format is ListFormat.jsonl:
        for row in rows:
            sys.stdout.write(json.dumps(row.to_record(), ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{len(rows)} stories")
    table.add_column("id", no_wrap=True)
    table.add_column("dates", no_wrap=True)
    table.add_column("articles", justify="right")
    table.add_column("label", ratio=3, overflow="fold")
    table.add_column("entities", ratio=2, overflow="fold")
    for row in rows:
        dates = f"{row.start or '?'} – {row.end or '?'}" if row.start != row.end else (row.start or "?")
        table.add_row(cell(row.id), cell(dates), str(len(row.articles)), cell(row.label or ""),
                      cell("、".join(row.entities)))
    _console().print(table)


class StoryFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"
    json = "json"


@app.command()
def story(
    story_id: str = typer.Argument(..., help="A story id (or a unique prefix).", callback=_not_blank),
    db: Path = DB_OPTION,
    output_format: StoryFormat = typer.Option(StoryFormat.table, "--format", "-f"),
    compare: bool = typer.Option(False, "--compare", help="What each outlet's report carries or omits, sentence by sentence."),
) -> None:
    """One story: its timeline of articles and related stories (with --compare: how the reports differ)."""
    with _open(db) as archive:
        try:
            analysis = _analysis(archive)
            row, related = analysis.story(story_id)
        except KeyError as exc:
            _console(stderr=True).print(f"[red]{terminal(exc.args[0])}[/red]")
            raise typer.Exit(code=2) from exc
        if compare:
            from newsdesk.analysis.compare import compare_story

            comparison = compare_story(archive, analysis.gazetteer, row)
    if compare:
        if output_format is StoryFormat.table:
            from newsdesk.comparison_view import print_comparison

            print_comparison(_console(), comparison)
        else:
            indent = 2 if output_format is StoryFormat.json else None
            sys.stdout.write(json.dumps(comparison, ensure_ascii=False, indent=indent) + "\n")
        return
    if output_format is not StoryFormat.table:
        from newsdesk.records import story_record

        record = story_record(row, related)
        sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2 if output_format is StoryFormat.json else None) + "\n")
        return
    console = _console()
    console.print(
        f"[bold]{terminal(row.label or '')}[/bold]  ({terminal(row.start or '?')} – {terminal(row.end or '?')})"
        f"  {terminal('、'.join(row.entities))}"
    )
    table = Table("published", "outlet", "headline", "article", title="timeline")
    for article in row.articles:
        when = (article["published"] or "")[:16] or (f"{article['day']} (inferred)" if article.get("day") else "")
        table.add_row(cell(when), cell(article["outlet"] or ""), cell(article["title"] or ""), cell(article["id"]))
    console.print(table)
    if related:
        console.print("related stories:")
        for other in related:
            console.print(f"  {terminal(other.id)}  {terminal(other.start or '?')}  {terminal(other.label or '')}")


@app.command()
def quotes(
    speaker: str | None = typer.Option(None, "--speaker", "-s", help="Any name of the speaker (either script, English, alias)."),
    article: str | None = typer.Option(None, "--article", help="Only this article's quotes (an id or unique prefix)."),
    limit: int | None = typer.Option(None, "--limit", min=1, max=100_000, help="At most this many quotes."),
    db: Path = DB_OPTION,
    output_format: ListFormat = typer.Option(ListFormat.table, "--format", "-f"),
) -> None:
    """Who said what: quoted and reported statements with their speaker, newest article first."""
    from newsdesk.analysis.quotes import search_quotes

    with _open(db) as archive:
        try:
            article_id = archive.resolve_id(article) if article else None
        except KeyError as exc:
            _console(stderr=True).print(f"[red]{terminal(exc.args[0])}[/red]")
            raise typer.Exit(code=2) from exc
        analysis = _analysis(archive)
        rows = search_quotes(archive.conn, analysis.gazetteer, speaker=speaker, article_id=article_id, limit=limit)
    if output_format is ListFormat.jsonl:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    what = f" by {speaker}" if speaker else ""
    table = Table(title=f"{len(rows)} quotes{terminal(what)}")
    table.add_column("published", no_wrap=True)
    table.add_column("outlet")
    table.add_column("speaker")
    table.add_column("said", ratio=3, overflow="fold")
    table.add_column("article", no_wrap=True)
    for row in rows:
        who = row["speaker"] + (f" ({row['via']})" if row["via"] else "")
        table.add_row(cell((row["published"] or "")[:10]), cell(row["outlet"] or ""), cell(who), cell(row["text"]),
                      cell(row["article_id"][:12]))
    _console().print(table)


@app.command()
def entity(
    name: str = typer.Argument(..., help="Any name of the entity, in any script or language."),
    db: Path = DB_OPTION,
    output_format: ListFormat = typer.Option(ListFormat.table, "--format", "-f"),
    limit: int | None = typer.Option(None, "--limit", "-n", min=1, max=100_000, help="At most this many stories. Default: all."),
    offset: int = OFFSET_OPTION,
) -> None:
    """A person, place or organisation: aliases, roles, mentions per outlet per month, stories (by start)."""
    from newsdesk.records import entity_record

    with _open(db) as archive:
        report = entity_record(_analysis(archive), name, limit, offset)
    if report is None:
        _console(stderr=True).print(f"[red]no entity called {terminal(repr(name))}[/red]: try another spelling, or `newsdesk alias add`")
        raise typer.Exit(code=2)
    if output_format is ListFormat.jsonl:
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
        return
    console = _console()
    console.print(
        f"[bold]{terminal(report['name'])}[/bold] ({terminal(report['kind'])}, {terminal(report['en'] or 'no English name')})"
        f"  id {terminal(report['id'])}"
    )
    console.print("aliases: " + terminal("、".join(report["aliases"]) or "-"))
    console.print("roles: " + terminal("、".join(f"{r} ({n})" for r, n in report["roles"].items()) or "-"))
    table = Table("month", "outlet", "mentions", "articles", title="mentions")
    for row in report["mentions"]:
        articles = f"{row['articles']} ({row['inferred']} by inferred day)" if row.get("inferred") else str(row["articles"])
        table.add_row(cell(row["month"] or ""), cell(row["outlet"] or ""), str(row["mentions"]), articles)
    console.print(table)
    for item in report["stories"]:
        console.print(f"  story {terminal(item['id'])}  {terminal(item['start'] or '?')}  {terminal(item['label'] or '')}")


@alias_app.command("add")
def alias_add(
    name: str = typer.Argument(..., help="A name newsdesk knows (or will know).", callback=_not_blank),
    alias: str = typer.Argument(..., help="Another name of the same entity.", callback=_not_blank),
    merge: bool = typer.Option(False, "--merge", help="Make two known entities one (`newsdesk alias undo` takes it back)."),
    db: Path = DB_OPTION,
) -> None:
    """Make ALIAS another name of NAME's entity. Two names of two known entities are refused unless --merge."""
    from newsdesk.analysis.aliases import AliasRefused, add_alias
    from newsdesk.analysis.stories import Analysis

    with _open(db, must_exist=False) as archive, archive.writing():
        analysis = Analysis(archive)
        try:
            change = add_alias(analysis, name, alias, merge=merge)
        except AliasRefused as exc:
            _console(stderr=True, soft_wrap=True).print(f"[red]refused:[/red] {terminal(str(exc))}")
            raise typer.Exit(code=2) from exc
    console = _console()
    if change is None:
        found = analysis.find_entity(name)
        console.print(f"{terminal(alias)} already names {terminal(found.name if found else name)}: nothing to do")
        return
    console.print(f"{terminal(alias)} is now an alias of {terminal(change.entity.name)} ({terminal(change.entity.id)})")
    if change.merged is not None:
        console.print(f"merged {terminal(change.merged.name)} ({terminal(change.merged.id)}) into it: `newsdesk alias undo` takes it back")


@alias_app.command("list")
def alias_list(
    db: Path = DB_OPTION,
    refused: bool = typer.Option(False, "--refused", help="Name pairs articles printed that were not learned: they name two known entities."),
    output_format: ListFormat = typer.Option(ListFormat.table, "--format", "-f"),
) -> None:
    """Your aliases, oldest first, with the entity each resolves to and the entity it merged in."""
    from newsdesk.analysis.aliases import list_aliases, list_refused
    from newsdesk.analysis.entities import archive_gazetteer

    with _open(db) as archive:
        if refused:
            _print_refused(list_refused(archive.conn), output_format)
            return
        rows = list_aliases(archive.conn, archive_gazetteer(archive.conn))
    if output_format is ListFormat.jsonl:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    table = Table("name", "alias", "entity", "id", "merged", "added", title=f"{len(rows)} aliases")
    for row in rows:
        table.add_row(*(cell(row[k] or "") for k in ("name", "alias", "entity", "entity_id", "merged", "added")))
    _console().print(table)


def _print_refused(rows: list[dict[str, object]], output_format: ListFormat) -> None:
    if output_format is ListFormat.jsonl:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    table = Table("as printed", "entities", "seen", title=f"{len(rows)} name pairs not learned (two known entities)")
    for row in rows:
        table.add_row(cell(row["text"]), cell(", ".join(row["entities"])), str(row["seen"]))  # type: ignore[arg-type]
    _console().print(table)


def _print_removed(removed: dict[str, object]) -> None:
    console = _console()
    console.print(f"removed the alias {terminal(removed['name'])} → {terminal(removed['alias'])}")
    if removed["restored"]:
        console.print(f"{terminal(removed['restored'])} is its own entity again, apart from {terminal(removed['entity_id'])}")


@alias_app.command("remove")
def alias_remove(
    name: str = typer.Argument(..., help="The NAME given to `alias add`.", callback=_not_blank),
    alias: str = typer.Argument(..., help="The ALIAS given to `alias add`.", callback=_not_blank),
    db: Path = DB_OPTION,
) -> None:
    """Take back one `alias add NAME ALIAS`: the alias goes, and two entities it merged are two again."""
    from newsdesk.analysis.aliases import remove_alias
    from newsdesk.analysis.stories import Analysis

    with _open(db) as archive, archive.writing():
        try:
            removed = remove_alias(Analysis(archive), name, alias)
        except KeyError as exc:
            _console(stderr=True).print(f"[red]{terminal(exc.args[0])}[/red]")
            raise typer.Exit(code=2) from exc
    _print_removed(removed)


@alias_app.command("undo")
def alias_undo(db: Path = DB_OPTION) -> None:
    """Take back the latest `alias add` still in effect (a merge included)."""
    from newsdesk.analysis.aliases import undo_last
    from newsdesk.analysis.stories import Analysis

    with _open(db) as archive, archive.writing():
        removed = undo_last(Analysis(archive))
    if removed is None:
        _console(stderr=True).print("[yellow]no alias to undo[/yellow]: `newsdesk alias list` shows yours")
        raise typer.Exit(code=1)
    _print_removed(removed)


# --- following feeds ---------------------------------------------------------------------------

follow_app = typer.Typer(help="Feeds (RSS, Atom) and news sitemaps that `newsdesk fetch` polls.", no_args_is_help=True)
app.add_typer(follow_app, name="follow")


def _feed_url(value: str) -> str:
    from newsdesk.archive.follow import FollowError, check_url

    try:
        return check_url(value)
    except FollowError as exc:
        raise typer.BadParameter(str(exc)) from exc


@follow_app.command("add")
def follow_add(
    url: str = typer.Argument(..., help="A feed (RSS, Atom) or sitemap (a news sitemap, a sitemap index).",
                              callback=_feed_url),
    db: Path = DB_OPTION,
) -> None:
    """Follow a feed or sitemap: `newsdesk fetch` polls it and fetches the pages it lists."""
    from newsdesk.archive.follow import add_follow

    with _open(db, must_exist=False) as archive:
        added = add_follow(archive, url)
    _console().print(f"following {terminal(url)}" if added else f"already following {terminal(url)}")


@follow_app.command("remove")
def follow_remove(url: str = typer.Argument(..., help="A URL `follow list` shows."), db: Path = DB_OPTION) -> None:
    """Stop following a feed or sitemap (the pages fetched from it stay in the archive)."""
    from newsdesk.archive.follow import remove_follow

    with _open(db) as archive:
        dropped = remove_follow(archive, url)
    if not dropped:
        _console(stderr=True).print(f"[red]not following {terminal(url)}[/red]: see `newsdesk follow list`")
        raise typer.Exit(code=2)
    _console().print(f"no longer following {terminal(url)}")


@follow_app.command("list")
def follow_list(
    db: Path = DB_OPTION, output_format: ListFormat = typer.Option(ListFormat.table, "--format", "-f")
) -> None:
    """The feeds and sitemaps followed: last poll, pages fetched, pending and failed."""
    from newsdesk.archive.follow import follows

    with _open(db) as archive:
        rows = follows(archive)
    if output_format == ListFormat.jsonl:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    table = Table("url", "kind", "last polled", "status", "pages", "fetched", "pending", "failed", title="following")
    for row in rows:
        status = row["error"] or ("" if row["status"] is None else str(row["status"]))
        kind = row["kind"] or "?"
        if row["sitemaps"]:
            kind += f" ({row['sitemaps']} sitemaps)"
        table.add_row(cell(row["url"]), cell(kind), cell(row["polled_at"] or "never"), cell(status),
                      *(str(row[k]) for k in ("pages", "fetched", "pending", "failed")))
    _console().print(table)


@app.command()
def fetch(
    db: Path = DB_OPTION,
    captures: Path | None = typer.Option(
        None, "--captures", help="Folder for the fetched pages (WARC files). Default: ARCHIVE.captures beside the archive."
    ),
    interval: float = typer.Option(1.0, "--interval", min=0.0, help="Seconds between requests to one host."),
    per_host: int = typer.Option(2, "--per-host", min=1, help="Requests in flight to one host."),
    concurrency: int = typer.Option(8, "--concurrency", min=1, help="Requests in flight in all."),
    timeout: float = typer.Option(30.0, "--timeout", min=0.1, help="Seconds one request may take."),
    max_bytes: int = typer.Option(10 * 1024 * 1024, "--max-bytes", min=1024, help="Largest body read."),
    contact: str | None = typer.Option(None, "--contact", envvar="NEWSDESK_CONTACT",
                                       help="Your e-mail or URL, added to the user agent for site owners."),
    outlets: list[Path] = typer.Option([], "--outlets", help="Extra outlet registry (TOML), may repeat."),
) -> None:
    """Poll the followed feeds and sitemaps, fetch the new pages, ingest them. Resumable: run it again."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from newsdesk.analysis import analyse_new_articles
    from newsdesk.archive.follow import FetchEvent, captures_dir_for, follows, run_fetch
    from newsdesk.extract import ExtractOptions
    from newsdesk.sources.fetch import FetchSettings, user_agent

    console = _console(stderr=True, soft_wrap=True)
    if not db.is_file():
        console.print(f"[red]no archive at {terminal(db)}[/red]: follow a feed or sitemap first with"
                      f" `newsdesk follow add URL --db {terminal(db)}`")
        raise typer.Exit(code=2)
    settings = FetchSettings(
        user_agent=user_agent(contact), interval=interval, per_host=per_host, concurrency=concurrency,
        timeout=timeout, max_bytes=max_bytes,
    )
    options = ExtractOptions(outlet_files=tuple(str(p) for p in outlets))
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with _open(db, must_exist=False) as archive, Progress(*columns, console=console, transient=True) as progress:
        if not follows(archive):
            console.print(f"not following anything in {terminal(db)}: add a feed or sitemap with"
                          " `newsdesk follow add URL`")
        listings = progress.add_task("feeds and sitemaps", total=None)
        pages = progress.add_task("pages", total=0)
        done = {"listing": 0, "page": 0}

        def advance(event: FetchEvent) -> None:
            done[event.what] += 1
            if event.what == "listing":
                progress.update(listings, completed=done["listing"])
            else:
                progress.update(pages, completed=done["page"], total=done["page"] + event.pending)

        summary = run_fetch(archive, captures or captures_dir_for(db), settings, options, on_event=advance)
        progress.update(pages, description="placing articles in stories")
        with archive.writing():
            _, placed = analyse_new_articles(archive)
    ingested = summary.ingest
    console.print(
        f"feeds and sitemaps polled: {summary.listings} ({summary.listings_unchanged} unchanged)  "
        f"pages: {summary.fetched} fetched, {summary.unchanged} unchanged, {summary.forbidden} forbidden by robots.txt,"
        f" {len(summary.failures)} failures, {summary.left} left for the next fetch"
    )
    for url, reason in summary.failures[:20]:
        console.print(f"  failed: {terminal(url)}: {terminal(reason)}")
    if len(summary.failures) > 20:
        console.print(f"  … and {len(summary.failures) - 20} more failures")
    console.print(
        f"ingested: {ingested.read} captures, {ingested.new} new articles, {ingested.folded} folded,"
        f" {ingested.failed} failed; {placed} articles placed in stories"
    )


if __name__ == "__main__":
    app()
