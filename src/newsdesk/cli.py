"""The `newsdesk` command."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from newsdesk.extract import ExtractOptions, extract_capture
from newsdesk.model import Article
from newsdesk.sources.files import iter_paths, read_capture

app = typer.Typer(help="Turn captures of Chinese-language news into clean articles.", no_args_is_help=True)


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
    lines.append("")
    for block in article.body:
        lines += [block, ""]
    for image in article.images:
        lines.append(f"![{image.caption or ''}]({image.src})")
        if image.caption:
            lines += [f"*{image.caption}*"]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


@app.command()
def extract(
    paths: list[Path] = typer.Argument(..., help="Capture files or folders (searched recursively); .gz is read."),
    output_format: OutputFormat = typer.Option(OutputFormat.jsonl, "--format", "-f", help="jsonl, json or markdown."),
    outlets: list[Path] = typer.Option([], "--outlets", help="Extra outlet registry (TOML), may repeat."),
) -> None:
    """Extract the article from each capture: one JSON object per line by default."""
    options = ExtractOptions(outlet_files=tuple(str(p) for p in outlets))
    console = Console(stderr=True)
    missing = [str(p) for p in paths if not p.exists()]
    for path in missing:
        console.print(f"[red]no such file or folder:[/red] {path}")
    records = []
    failures = 0
    out = sys.stdout
    for path in iter_paths(p for p in paths if p.exists()):
        raw = read_capture(path)
        article = Article(file=raw.path, error=raw.error) if raw.data is None else extract_capture(raw.data, raw.path, options)
        failures += article.error is not None
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
    if missing:
        raise typer.Exit(code=2)


if __name__ == "__main__":
    app()
