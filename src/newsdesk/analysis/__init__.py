"""Understanding the archive: entities resolved across spellings and languages, stories of events."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsdesk.analysis.stories import Analysis
    from newsdesk.archive.store import Archive


def analyse_new_articles(archive: Archive) -> tuple[Analysis, int]:
    """What every command that adds articles does after storing them, inside the caller's write
    transaction: place the articles that are in no story yet and read the quotes not read yet.
    Returns the analysis (its gazetteer, refused aliases) and how many articles were placed."""
    from newsdesk.analysis.quotes import update_quotes
    from newsdesk.analysis.stories import Analysis

    analysis = Analysis(archive)
    placed = analysis.update()
    update_quotes(archive, analysis.gazetteer)
    return analysis, placed
