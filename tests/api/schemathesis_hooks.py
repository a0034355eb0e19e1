"""Schemathesis hooks for the office API's property-based run (scripts/api-properties.sh).

`nothing_stored_when_refused`: a request the server refused (4xx) must leave the database as
it was. Before every call that could change something, the hook takes a digest of every table
of the server's SQLite file (read-only, beside the running server); the check compares it
after the answer. Runs with one worker, so no other request moves the database in between.
"""

import hashlib
import os
import sqlite3

import schemathesis

DATABASE = os.environ["FIELDWORK_API_DB"]
CHANGES = {"POST", "PATCH", "PUT", "DELETE"}
_before = {}


def digest():
    db = sqlite3.connect(f"file:{DATABASE}?mode=ro", uri=True, timeout=10)
    try:
        h = hashlib.sha256()
        tables = [n for (n,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            h.update(table.encode())
            for row in sorted(repr(r) for r in db.execute(f'SELECT * FROM "{table}"')):
                h.update(row.encode())
        return h.hexdigest()
    finally:
        db.close()


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if case.method.upper() in CHANGES:
        _before[id(case)] = digest()


@schemathesis.check
class nothing_stored_when_refused:  # noqa: N801 (the check's name on the command line)
    """A refused change leaves every table as it was; and the run did refuse some changes (a
    check that compared nothing would pass for the wrong reason)."""

    def __init__(self):
        self.compared = set()

    def after_response(self, ctx, response, case):
        before = _before.pop(id(case), None)
        if before is None or not 400 <= response.status_code < 500:
            return
        if digest() != before:
            raise AssertionError(
                f"{case.method} {case.formatted_path} was refused ({response.status_code}) "
                f"but the database changed: {response.text[:200]}")
        self.compared.add((case.method, case.formatted_path, response.status_code))

    def after_run(self, ctx):
        if not self.compared:
            raise AssertionError("no refused change was compared: the hook did not run")
