-- 9: spare parts (issue 21, ADR 0015): the catalogue, the places stock is kept, and the stock
-- ledger. A movement is an immutable entry (its JSON in `body`); `seq` is its place in the
-- office's ledger (a phone's stock cursor), `from_loc`/`to_loc` find a place's movements.
-- Levels are folded from the entries, never stored.
CREATE TABLE parts (sku TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT, WITHOUT ROWID;
CREATE TABLE stock_locations (id TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT, WITHOUT ROWID;
CREATE TABLE stock_movements (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    from_loc TEXT,
    to_loc TEXT,
    body TEXT NOT NULL,
    reached_at INTEGER NOT NULL
) STRICT;
CREATE INDEX stock_movements_from ON stock_movements (from_loc, seq) WHERE from_loc IS NOT NULL;
CREATE INDEX stock_movements_to ON stock_movements (to_loc, seq) WHERE to_loc IS NOT NULL;
-- The least and most of a part a place should hold (dispatch's; replenishment reads them).
CREATE TABLE stock_limits (
    location TEXT NOT NULL, sku TEXT NOT NULL, min INTEGER NOT NULL, max INTEGER NOT NULL,
    PRIMARY KEY (location, sku)
) STRICT, WITHOUT ROWID;
