"""Dump a newsdesk archive as SQL that rebuilds it (its FTS5 table included) with its user_version.

    python tests/data/archive/dump_archive.py ARCHIVE.db OUT.sql.gz

`sqlite3.Connection.iterdump` cannot be read back when the database holds an FTS5 table (it
writes the table's shadow tables through `sqlite_master`); this writes the virtual table's
CREATE and its rows instead, and leaves the shadow tables to FTS5.
"""

import gzip
import sqlite3
import sys


def dump(source: str, target: str) -> None:
    conn = sqlite3.connect(source)
    lines = ["BEGIN;"]
    objects = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'article_fts_%'"
        " ORDER BY type='index', name"
    ).fetchall()
    lines += [f"{sql};" for _, _, sql in objects]
    for kind, name, _ in objects:
        if kind != "table":
            continue
        columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')]
        selected, into = ("rowid, *", f'"{name}"(rowid, {", ".join(columns)})') if name == "article_fts" else ("*", f'"{name}"')
        for row in conn.execute(f'SELECT {selected} FROM "{name}"'):
            values = ",".join(conn.execute("SELECT quote(?)", (value,)).fetchone()[0] for value in row)
            lines.append(f"INSERT INTO {into} VALUES({values});")
    lines += [f"PRAGMA user_version = {conn.execute('PRAGMA user_version').fetchone()[0]};", "COMMIT;"]
    with gzip.open(target, "wt", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    dump(sys.argv[1], sys.argv[2])
