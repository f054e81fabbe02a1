"""The `newsdesk` command."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from newsdesk.analysis.stories import Analysis
from newsdesk.archive import DEFAULT_DB, Archive
from newsdesk.archive import ingest as run_ingest
from newsdesk.archive.export import ExportError, check_target, format_for, write_export
from newsdesk.archive.store import ArchiveBusy, ArchiveError, ArchiveUnwritable, ArticleRow, describe
from newsdesk.archive.text import QueryError, published_day
from newsdesk.extract import ExtractOptions, extract_capture
from newsdesk.model import Article
from newsdesk.sources.files import RawCapture, Skipped, iter_paths, read_capture

# Errors a user can cause (bad arguments, a bad --db, full or read-only storage) and fix: one line and
# exit code 2. Anything else is a bug, reported in one line too (NEWSDESK_DEBUG=1 shows the traceback).
USER_ERRORS: tuple[type[BaseException], ...] = (
    ArchiveError, ExportError, QueryError, sqlite3.Error, OSError, UnicodeError, OverflowError,
)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def error_message(exc: BaseException) -> str:
    """What went wrong, for the user, in one line."""
    if isinstance(exc, sqlite3.Error):
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
        except USER_ERRORS as exc:
            _fail(error_message(exc), exc)
        except Exception as exc:
            if os.environ.get("NEWSDESK_DEBUG"):
                raise
            _fail(f"newsdesk failed: {type(exc).__name__}: {exc} (NEWSDESK_DEBUG=1 shows where)", exc, code=1)
        return None


def _fail(message: str, exc: BaseException, code: int = 2) -> NoReturn:
    Console(stderr=True, soft_wrap=True, highlight=False).print(f"[red]error:[/red] {escape(_one_line(message))}")
    raise typer.Exit(code=code) from exc


app = typer.Typer(
    help="Turn captures of Chinese-language news into clean articles.", no_args_is_help=True, cls=_Commands
)


@app.callback()
def main() -> None:
    """newsdesk: captures in, articles out."""


class OutputFormat(StrEnum):
    jsonl = "jsonl"
    json = "json"
    markdown = "markdown"


def to_markdown(article: Article) -> str:
    lines = [f"# {article.title or '(untitled)'}", ""]
    facts = [
        ("File", article.file), ("Format", article.format), ("Outlet", article.outlet),
        ("Published", article.published), ("Authors", "、".join(article.authors) or None),
        ("Editor", article.editor), ("Original", article.original_url), ("Language", article.language),
    ]
    lines += [f"- **{label}:** {value}" for label, value in facts if value]
    if article.error:
        lines.append(f"- **Error:** {article.error}")
    lines += [f"- **Warning:** {warning}" for warning in article.warnings]
    lines.append("")
    for block in article.body:
        lines += [block, ""]
    for image in article.images:
        lines.append(f"![{image.caption or ''}]({image.src})")
        if image.caption:
            lines += [f"*{image.caption}*"]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


FOLLOW_SYMLINKS_OPTION = typer.Option(
    False, "--follow-symlinks", help="Read what symbolic links point to (by default they are skipped and counted)."
)


def _present(paths: list[Path], console: Console) -> tuple[list[Path], list[Path]]:
    """The paths that exist (a symbolic link counts: the walk decides about it), and the missing ones, reported."""
    present = [p for p in paths if p.exists() or p.is_symlink()]
    missing = [p for p in paths if p not in present]
    for path in missing:
        console.print(f"[red]no such file or folder:[/red] {escape(str(path))}")
    return present, missing


def _report_skipped(skipped: Skipped, console: Console) -> None:
    if not skipped:
        return
    links = sum(1 for p in skipped.paths if p.endswith("symbolic link)"))
    console.print(
        f"skipped {len(skipped)} symlinks/special files"
        + (" (--follow-symlinks reads what links point to)" if links else "")
        + ": " + escape(", ".join(skipped.paths[:3])) + (", …" if len(skipped) > 3 else "")
    )


@app.command()
def extract(
    paths: list[Path] = typer.Argument(..., help="Capture files or folders (searched recursively); .gz is read."),
    output_format: OutputFormat = typer.Option(OutputFormat.jsonl, "--format", "-f", help="jsonl, json or markdown."),
    outlets: list[Path] = typer.Option([], "--outlets", help="Extra outlet registry (TOML), may repeat."),
    follow_symlinks: bool = FOLLOW_SYMLINKS_OPTION,
) -> None:
    """Extract the article from each capture: one JSON object per line by default."""
    options = ExtractOptions(outlet_files=tuple(str(p) for p in outlets))
    console = Console(stderr=True, soft_wrap=True)
    present, missing = _present(paths, console)
    records = []
    failures = warned = 0
    out = sys.stdout
    skipped = Skipped()
    for path in iter_paths(present, follow_symlinks, skipped):
        raw = read_capture(path)
        article = Article(file=raw.path, error=raw.error) if raw.data is None else extract_capture(raw.data, raw.path, options)
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


# --- archive ---------------------------------------------------------------------------------

DB_OPTION = typer.Option(Path(DEFAULT_DB), "--db", help="Archive file (SQLite).")


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
    if must_exist and not db.is_file():
        Console(stderr=True).print(
            f"[red]no archive at {escape(str(db))}[/red]: create one with `newsdesk ingest PATH --db {escape(str(db))}`"
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
    if value is not None and published_day(value) is None:
        raise typer.BadParameter(f"{value!r} is not a date: give it as YYYY-MM-DD, e.g. 2022-02-01")
    return value


SINCE_OPTION = typer.Option(None, "--since", help="YYYY-MM-DD", callback=_check_day)
UNTIL_OPTION = typer.Option(None, "--until", help="YYYY-MM-DD (inclusive)", callback=_check_day)


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files, folders, .zip/.tar.gz, .jsonl capture logs, WARC files."),
    db: Path = DB_OPTION,
    outlets: list[Path] = typer.Option([], "--outlets", help="Extra outlet registry (TOML), may repeat."),
    follow_symlinks: bool = FOLLOW_SYMLINKS_OPTION,
) -> None:
    """Add captures to the archive. Re-running is safe: known captures are skipped."""
    # soft_wrap: the summary stays one line per fact when stderr is a file or a pipe.
    console = Console(stderr=True, soft_wrap=True)
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
            placed = Analysis(archive).update()
        counts = archive.counts()
    console.print(
        f"captures read: {summary.read}  new articles: {summary.new}  folded: {summary.folded}  "
        f"revisions: {summary.revisions}  unchanged: {summary.unchanged}  failed: {summary.failed}  "
        f"({summary.rate:.0f} captures/s)"
    )
    for reason, count in summary.reasons.most_common(5):
        console.print(f"  failed {count}×: {escape(reason)}")
    _report_skipped(summary.skipped, console)
    console.print(f"archive {escape(str(db))}: {counts['articles']} articles from {counts['captures']} captures, {counts['failures']} failures;"
                  f" {placed} articles placed in stories")
    if missing:
        raise typer.Exit(code=2)


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
        table.add_row(row["path"], row["error"])
    Console().print(table)


def _highlighted(snippet: str) -> Text:
    """`<b>…</b>` marks from the archive as terminal highlighting, on one line."""
    text = Text()
    for i, part in enumerate(snippet.replace("\n", " ").split("<b>")):
        marked, _, rest = part.partition("</b>") if i else ("", "", part)
        if marked:
            text.append(marked, style="bold yellow")
        text.append(rest)
    return text


def _print_rows(rows: list[ArticleRow], output_format: ListFormat, with_snippet: bool, title: str) -> None:
    if output_format is ListFormat.jsonl:
        for row in rows:
            sys.stdout.write(json.dumps(row.to_record(with_snippet), ensure_ascii=False) + "\n")
        return
    table = Table(title=title)
    table.add_column("id", no_wrap=True)
    table.add_column("published", no_wrap=True)
    table.add_column("outlet")
    table.add_column("title", ratio=2, overflow="fold")
    if with_snippet:
        table.add_column("snippet", ratio=3, overflow="fold")
    for row in rows:
        cells: list[str | Text] = [row.id, (row.published or "")[:10], row.outlet or "", row.title or ""]
        if with_snippet:
            cells.append(_highlighted(row.snippet or ""))
        table.add_row(*cells)
    Console().print(table)


@app.command()
def search(
    query: str = typer.Argument(..., help='Words, "phrases", AND / OR / NOT; either script.'),
    db: Path = DB_OPTION,
    outlet: str | None = typer.Option(None, "--outlet"),
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=100_000, help="How many results (1–100,000)."),
    output_format: ListFormat = typer.Option(ListFormat.table, "--format", "-f"),
) -> None:
    """Full-text search, best matches first (BM25)."""
    with _open(db) as archive:
        try:
            rows = archive.search(query, outlet=outlet, since=since, until=until, limit=limit)
        except QueryError as exc:
            Console(stderr=True).print(f"[red]{exc}[/red]")
            raise typer.Exit(code=2) from exc
    _print_rows(rows, output_format, True, f"{len(rows)} results for {query}")


@app.command("list")
def list_articles(
    db: Path = DB_OPTION,
    outlet: str | None = typer.Option(None, "--outlet"),
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    output_format: ListFormat = typer.Option(ListFormat.table, "--format", "-f"),
) -> None:
    """Articles in the archive, oldest first."""
    with _open(db) as archive:
        rows = list(archive.list(outlet=outlet, since=since, until=until))
    _print_rows(rows, output_format, False, f"{len(rows)} articles")


@app.command()
def show(
    article_id: str = typer.Argument(..., help="An article id (or a unique prefix of one)."),
    db: Path = DB_OPTION,
    captures: bool = typer.Option(False, "--captures", help="List every capture and why the best one was chosen."),
    output_format: OutputFormat = typer.Option(OutputFormat.markdown, "--format", "-f"),
) -> None:
    """One article, as read from its best capture."""
    with _open(db) as archive:
        try:
            info = archive.article_info(archive.resolve_id(article_id))
        except KeyError as exc:
            Console(stderr=True).print(f"[red]{exc.args[0]}[/red]")
            raise typer.Exit(code=2) from exc
    if output_format is not OutputFormat.markdown:
        sys.stdout.write(json.dumps(info, ensure_ascii=False, indent=2 if output_format is OutputFormat.json else None) + "\n")
        return
    article = Article.from_record(info["article"])
    article.file = info["id"]
    sys.stdout.write(to_markdown(article))
    if captures:
        console = Console()
        console.print(f"\n[bold]{len(info['captures'])} captures, {info['revisions']} revision(s)[/bold]; {info['best_reason']}")
        table = Table("", "path", "rev", "score", "why folded", "completeness")
        for cap in info["captures"]:
            table.add_row("★" if cap["best"] else "", cap["path"], str(cap["revision"]), str(cap["score"]),
                          cap["fold_reason"], cap["score_reason"])
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
    console = Console(stderr=True, soft_wrap=True)
    # Checked before the archive is opened, and again by write_export just before writing; an
    # ExportError is a one-line error (see _Commands).
    fmt = format_for(output, output_format.value if output_format else None)
    check_target(output, protected=[db])
    with _open(db) as archive:
        written = write_export(archive.iter_articles(), output, fmt, protected=[archive.path])
    console.print(f"wrote {written} articles to {escape(str(output))} ({fmt})")


@app.command()
def stats(db: Path = DB_OPTION, output_format: ListFormat = typer.Option(ListFormat.table, "--format", "-f")) -> None:
    """Articles per outlet per month."""
    with _open(db) as archive:
        rows = archive.stats()
    if output_format is ListFormat.jsonl:
        for outlet_name, month, count in rows:
            sys.stdout.write(json.dumps({"outlet": outlet_name, "month": month, "articles": count}, ensure_ascii=False) + "\n")
        return
    table = Table("outlet", "month", "articles", title="articles per outlet per month")
    for outlet_name, month, count in rows:
        table.add_row(outlet_name, month, str(count))
    Console().print(table)


# --- stories and entities --------------------------------------------------------------------

alias_app = typer.Typer(help="Teach newsdesk that two names are one entity.", no_args_is_help=True)
app.add_typer(alias_app, name="alias")


# How long a reading command waits to place new articles in stories before showing them as they stand.
PLACING_WAIT_SECONDS = 2.0


def _analysis(archive: Archive) -> Analysis:
    """The archive's stories, after placing articles that are in none yet, if that can be done
    now. A reading command does not wait for a writer: while another process (an ingest) holds
    the archive, the stories are shown as they stand and the ingest places the rest."""
    try:
        archive.begin(wait=PLACING_WAIT_SECONDS)
    except (ArchiveBusy, ArchiveUnwritable) as exc:
        analysis = Analysis(archive)
        waiting = len(analysis.pending())
        if waiting:
            why = "another newsdesk process is writing the archive" if isinstance(exc, ArchiveBusy) else "the archive is read-only here"
            Console(stderr=True).print(f"[yellow]{waiting} article(s) not yet in stories: {why}[/yellow]")
        return analysis
    try:
        analysis = Analysis(archive)
        analysis.update()
    except BaseException:
        archive.rollback()
        raise
    archive.commit()
    return analysis


@app.command()
def stories(
    db: Path = DB_OPTION,
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    entity: str | None = typer.Option(None, "--entity", help="Only stories naming this person, place or organisation."),
    output_format: ListFormat = typer.Option(ListFormat.table, "--format", "-f"),
) -> None:
    """Reports of the same event from different outlets, grouped."""
    with _open(db) as archive:
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
        table.add_row(row.id, dates, str(len(row.articles)), row.label or "", "、".join(row.entities))
    Console().print(table)


@app.command()
def story(
    story_id: str = typer.Argument(..., help="A story id (or a unique prefix)."),
    db: Path = DB_OPTION,
    output_format: ListFormat = typer.Option(ListFormat.table, "--format", "-f"),
) -> None:
    """One story: its timeline of articles and related stories."""
    with _open(db) as archive:
        try:
            row, related = _analysis(archive).story(story_id)
        except KeyError as exc:
            Console(stderr=True).print(f"[red]{exc.args[0]}[/red]")
            raise typer.Exit(code=2) from exc
    if output_format is ListFormat.jsonl:
        record = row.to_record()
        record["related"] = [{"id": r.id, "label": r.label, "start": r.start, "end": r.end} for r in related]
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    console = Console()
    console.print(f"[bold]{row.label}[/bold]  ({row.start or '?'} – {row.end or '?'})  {'、'.join(row.entities)}")
    table = Table("published", "outlet", "headline", "article", title="timeline")
    for article in row.articles:
        table.add_row((article["published"] or "")[:16], article["outlet"] or "", article["title"] or "", article["id"])
    console.print(table)
    if related:
        console.print("related stories:")
        for other in related:
            console.print(f"  {other.id}  {other.start or '?'}  {other.label}")


@app.command()
def entity(
    name: str = typer.Argument(..., help="Any name of the entity, in any script or language."),
    db: Path = DB_OPTION,
    output_format: ListFormat = typer.Option(ListFormat.table, "--format", "-f"),
) -> None:
    """A person, place or organisation: aliases, roles, mentions per outlet per month, stories."""
    with _open(db) as archive:
        report = _analysis(archive).entity_report(name)
    if report is None:
        Console(stderr=True).print(f"[red]no entity called {name!r}[/red]: try another spelling, or `newsdesk alias add`")
        raise typer.Exit(code=2)
    if output_format is ListFormat.jsonl:
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
        return
    console = Console()
    console.print(f"[bold]{report['name']}[/bold] ({report['kind']}, {report['en'] or 'no English name'})  id {report['id']}")
    console.print("aliases: " + ("、".join(report["aliases"]) or "-"))
    console.print("roles: " + ("、".join(f"{r} ({n})" for r, n in report["roles"].items()) or "-"))
    table = Table("month", "outlet", "mentions", "articles", title="mentions")
    for row in report["mentions"]:
        table.add_row(row["month"], row["outlet"], str(row["mentions"]), str(row["articles"]))
    console.print(table)
    for item in report["stories"]:
        console.print(f"  story {item['id']}  {item['start'] or '?'}  {item['label']}")


@alias_app.command("add")
def alias_add(
    name: str = typer.Argument(..., help="A name newsdesk knows (or will know)."),
    alias: str = typer.Argument(..., help="Another name of the same entity."),
    db: Path = DB_OPTION,
) -> None:
    """Make ALIAS another name of NAME's entity (merging the two if both are known)."""
    with _open(db, must_exist=False) as archive, archive.writing():
        entity_found = Analysis(archive).add_alias(name, alias)
    Console().print(f"{alias} is now an alias of {entity_found.name} ({entity_found.id})")


if __name__ == "__main__":
    app()
