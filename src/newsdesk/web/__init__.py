"""`newsdesk serve`: the archive as web pages (server-rendered, no script) and a JSON API under /api/.

app.py builds the FastAPI app (security headers, read-only archive access), api.py the JSON API in
the shapes of `--format jsonl` (newsdesk.records), pages.py the HTML pages, views.py the queries
only pages need (facets, attention over time, timelines), charts.py the SVG charts.
"""
