#!/usr/bin/env python3
"""The search page's work in-process, two ways on the same archive in the same run: the two passes it made
before (facets, then the ranked page: `views.facets` + `views.page_rows`, each running the MATCH) and the single
pass it makes now (`views.search`: the MATCH once, into a temporary table). Processor time (not wall time: the
machine is shared), the best of --repeat runs of each, for the slowest queries of bench/web.py, and whether both
give the same page, snippets, total and facets.

    .venv/bin/python bench/search_passes.py --db /work/bench-cache/web/web-100000.db [--repeat 5]

The archive is opened read-only: nothing is written to it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

# (query, outlet, entity, page): bench/web.py's slowest requests and the commonest queries.
CASES = [
    ("拉夫羅夫", None, "普京", 1), ("烏克蘭 戰爭", None, "习近平", 1), ("泽连斯基", None, "普京", 1),
    ("習近平 台灣", None, "普京", 1), ("普京", None, None, 1), ("普丁", None, None, 3), ("乌克兰", None, None, 1),
    ("美国 OR 欧盟", None, None, 4), ("新冠 疫情", None, "拜登", 1), ("习近平 台湾", "新唐人", None, 1),
]


def _two_passes(views: Any, archive: Any, selection: Any, offset: int) -> tuple[list[Any], Any]:
    """The page as it was made before the single pass: the facets (with the total), then the ranked page."""
    found = views.facets(archive, selection)
    rows, _ = views.page_rows(archive, selection, 20, offset, total=found.total)
    return rows, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    from newsdesk.archive.text import expand_query
    from newsdesk.web import views
    from newsdesk.web.app import ArchiveAccess

    access = ArchiveAccess(args.db)
    archive, analysis = access.archive(), access.analysis()

    def names_of(term: str) -> list[str] | None:
        entity = analysis.gazetteer.lookup(term)
        return entity.names() if entity is not None else None

    print("| query | outlet | entity | page | matches | two passes ms | single pass ms | same answer |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    for query, outlet, entity, page in CASES:
        entity_id = analysis.find_entity(entity).id if entity else None
        searched, _ = expand_query(query, names_of)
        selection = views.select(archive, searched, outlet, None, None, entity_id)
        offset = (page - 1) * 20

        two_passes = partial(_two_passes, views, archive, selection, offset)
        single_pass = partial(views.search, archive, selection, 20, offset)
        best: dict[str, float] = {}
        answers = {}
        for name, run in [("two", two_passes), ("one", single_pass)] * args.repeat:
            started = time.process_time()
            answers[name] = run()
            best[name] = min(best.get(name, float("inf")), time.process_time() - started)
        same = answers["two"] == answers["one"]
        print(f"| {query} | {outlet or ''} | {entity or ''} | {page} | {answers['one'][1].total:,} |"
              f" {best['two'] * 1000:.0f} | {best['one'] * 1000:.0f} | {'yes' if same else 'NO'} |", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
