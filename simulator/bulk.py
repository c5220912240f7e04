"""Bulk mode: load millions of backlinks (and the domains they need) fast, for benchmarks.

PostgreSQL gets `COPY ... FROM STDIN` fed by a generator of text-format chunks, produced on a
second thread so Python builds chunk k+1 while the server ingests chunk k (this machine has
two cores). SQLite gets executemany in chunks of 10k inside one transaction. Rows are drawn
column-wise with numpy, because a million calls into `random` per column would dominate.

The rows match what the tick-by-tick simulator writes for the same variant; discovery dates
spread over `days` (denser recently), so rollups and time-window queries have real work.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import func, inspect, select

from data.lp_tables import build_metadata
from data.services import Services
from simulator import names
from simulator.rows import LINK_TYPE_WEIGHTS, POSITIONS_O, SPAM_WEIGHTS
from simulator.world import utc_now

CHUNK = 10_000

_WORDS = names._WORDS
_PATHS = names._PATHS
_TARGET_PATHS = names._TARGET_PATHS
_ANCHORS = names._ANCHORS + names._SPAM_ANCHORS[:2]
_LINK_TYPES = [t for t, _w in LINK_TYPE_WEIGHTS]
_LINK_P = np.array([w for _t, w in LINK_TYPE_WEIGHTS], dtype=float) / sum(w for _t, w in LINK_TYPE_WEIGHTS)
_SPAM = [s for s, _w in SPAM_WEIGHTS]
_SPAM_P = np.array([w for _s, w in SPAM_WEIGHTS], dtype=float) / sum(w for _s, w in SPAM_WEIGHTS)
_TLDS = ("com", "com", "net", "org", "io", "de", "co.uk", "info")

# Vocabularies as numpy object arrays, so a column is one fancy-indexing call, not a loop.
_PATHS_A = np.array(_PATHS, dtype=object)
_SPAM_A = np.array(_SPAM, dtype=object)
_ANCHORS_A = np.array(_ANCHORS, dtype=object)
_CONTEXT_A = np.array([f"... as covered in {a} and elsewhere ..." for a in _ANCHORS], dtype=object)
_LINK_TYPES_A = np.array(_LINK_TYPES, dtype=object)
_REL_TYPES = ("nofollow", "ugc", "sponsored")
_REL_TEXT = np.array(["{" + t + "}" if t in _REL_TYPES else "{}" for t in _LINK_TYPES], dtype=object)
_IS_A = {r: np.array(["t" if t == r else "f" for t in _LINK_TYPES], dtype=object) for r in _REL_TYPES}
_PASSES = np.array([t in ("dofollow", "redirect", "canonical") for t in _LINK_TYPES])
_POS_O_A = np.array(POSITIONS_O, dtype=object)


@dataclass
class BulkResult:
    rows: int
    domains: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def bulk_load_backlinks(
    services: Services,
    n: int,
    seed: int | None = None,
    days: int = 365,
    domains: int = 50_000,
    now: datetime | None = None,
) -> BulkResult:
    """Insert `n` backlinks from `domains` linking domains, discovered over the last `days`.

    Returns rows, domains and wall seconds. The Link Profiler tables must exist; the variant is
    the one `services.schema` detects.
    """
    started = time.perf_counter()
    variant = services.schema.variant or "M"
    engine = services.engine
    now = now or utc_now()
    with engine.connect() as conn:
        existing = conn.execute(
            select(func.count()).select_from(build_metadata(variant).tables["backlinks"])
        ).scalar_one()
    # Salt the stream with the current size so a second load with the same seed adds new ids.
    rng = np.random.default_rng(None if seed is None else [seed, existing])
    gen = _Generator(rng, variant, now, days, domains)
    if engine.dialect.name == "postgresql":
        _load_postgresql(engine, gen, n)
    else:
        _load_executemany(engine, gen, n)
    return BulkResult(rows=n, domains=len(gen.domain_names), seconds=time.perf_counter() - started)


class _Generator:
    """Column-wise random rows for one variant; domain names are fixed per (domains) count."""

    def __init__(self, rng: np.random.Generator, variant: str, now: datetime, days: int, domains: int):
        self.rng, self.variant, self.days = rng, variant, days
        self.now = np.datetime64(now.replace(microsecond=0), "s")
        words = np.array(_WORDS)
        a = words[np.arange(domains) % len(words)]
        b = words[(np.arange(domains) // len(words) * 7 + 3) % len(words)]
        self.domain_names = [f"{x}{y}{i}.{_TLDS[i % len(_TLDS)]}" for i, (x, y) in enumerate(zip(a, b))]
        self.authority = np.round(100 * rng.beta(1.3, 4.5, domains), 1)
        self.targets = list(names.TARGET_DOMAINS) + list(names.COMPETITOR_DOMAINS)
        self.target_urls = [(d, f"https://www.{d}/{p}") for d in self.targets for p in _TARGET_PATHS]
        self._names = np.array(self.domain_names, dtype=object)
        self._target_dom_a = np.array([d for d, _u in self.target_urls], dtype=object)
        self._target_url_a = np.array([u for _d, u in self.target_urls], dtype=object)

    # -- domains ------------------------------------------------------------------------------
    def domain_columns(self) -> list[str]:
        cols = [
            "name",
            "authority_score",
            "trust_score",
            "spam_score",
            "registered_date",
            "expiration_date",
            "registrar",
            "is_registered",
            "is_parked",
            "is_dead",
            "country",
            "ip_address",
            "last_checked",
        ]
        return (["id", *cols]) if self.variant == "O" else cols

    def domain_rows(self) -> list[tuple]:
        """Rows (in `domain_columns` order) for the linking domains plus the monitored ones."""
        rng, now = self.rng, self.now
        all_names = self.domain_names + self.targets
        authority = np.concatenate([self.authority, rng.uniform(35, 70, len(self.targets)).round(1)])
        k = len(all_names)
        expired = rng.random(k) < 0.12
        expired[len(self.domain_names) :] = False
        lapsed = expired & (rng.random(k) < 0.5)
        registered = _ts(now - rng.integers(90, 7000, k).astype("timedelta64[D]"))
        expiry_days = np.where(expired, -rng.integers(1, 400, k), rng.integers(20, 1500, k))
        expiration = _ts(now + expiry_days.astype("timedelta64[D]"))
        checked = _ts(now - rng.integers(0, 14 * 86400, k).astype("timedelta64[s]"))
        trust = np.round(authority * rng.uniform(0.6, 1.1, k), 1)
        spam = np.round(100 * rng.beta(1.2, 9, k), 1)
        ids = _uuids(rng, k)
        out = []
        for i, name in enumerate(all_names):
            row = (
                name,
                float(authority[i]),
                float(trust[i]),
                float(spam[i]) if self.variant == "M" else str(spam[i]),
                registered[i],
                expiration[i],
                names.REGISTRARS[i % len(names.REGISTRARS)],
                not lapsed[i],
                bool(expired[i] and i % 3 == 0),
                bool(expired[i] and i % 5 == 0),
                names.COUNTRIES[i % len(names.COUNTRIES)],
                f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
                checked[i],
            )
            out.append((ids[i], *row) if self.variant == "O" else row)
        return out

    # -- backlinks ----------------------------------------------------------------------------
    def link_columns(self) -> list[str]:
        cols = [
            "id",
            "source_url",
            "target_url",
            "source_domain_name",
            "target_domain_name",
            "anchor_text",
            "link_type",
            "rel_attributes",
            "context_text",
            "position_on_page",
            "is_image_link",
            "is_active",
            "authority_passed",
            "spam_level",
            "http_status",
            "crawl_timestamp",
            "source_domain_metrics",
        ]
        if self.variant == "M":
            return [*cols, "discovered_date", "last_seen_date"]
        return [
            *cols,
            "first_seen",
            "last_seen",
            "nofollow",
            "ugc",
            "sponsored",
            "source_page_authority",
            "source_domain_authority",
        ]

    def _draw(self, n: int) -> dict[str, np.ndarray]:
        """The random part of `n` backlinks, column-wise: indices into vocabularies and numbers."""
        rng = self.rng
        d = len(self.domain_names)
        # Popular domains link more: squaring a uniform skews towards the low indices.
        src = (d * rng.random(n) ** 2).astype(np.int64)
        age = (self.days * 86400 * rng.random(n) ** 1.3).astype(np.int64) + 60  # denser recently
        seen_for = (age * rng.random(n)).astype(np.int64)
        auth = self.authority[src]
        active = rng.random(n) >= 0.05
        ltype = rng.choice(len(_LINK_TYPES), n, p=_LINK_P)
        return {
            "src": src,
            "tgt": rng.integers(0, len(self.target_urls), n),
            "first": self.now - age.astype("timedelta64[s]"),
            "last": self.now - (age - seen_for).astype("timedelta64[s]"),
            "ltype": ltype,
            "spam": rng.choice(len(_SPAM), n, p=_SPAM_P),
            "anchor": rng.integers(0, len(_ANCHORS), n),
            "path": rng.integers(0, len(_PATHS), n),
            "active": active,
            "image": rng.random(n) < 0.08,
            "auth": auth,
            # Only followed links pass authority.
            "passed": np.where(_PASSES[ltype], np.round(auth * rng.uniform(0.05, 0.6, n), 2), 0.0),
            "page_auth": np.round(auth * rng.uniform(0.3, 0.9, n), 1),
            "position": rng.integers(1, 60, n),
            "outbound": rng.integers(5, 400, n),
            "ids": np.array(_uuids(rng, n), dtype=object),
            "tokens": rng.bytes(5 * n).hex(),
        }

    def _text_columns(self, c: dict[str, np.ndarray]) -> list[list[str]]:
        """Columns (in `link_columns` order) as strings: COPY text format, arrays as {...} literals."""
        n = len(c["src"])
        names_ = self._names[c["src"]]
        tokens = c["tokens"]
        paths = _PATHS_A[c["path"]]
        spam = _SPAM_A[c["spam"]]
        lt = c["ltype"]
        first = np.datetime_as_string(c["first"], unit="s")
        last = np.datetime_as_string(c["last"], unit="s").tolist()
        cols = [
            c["ids"].tolist(),
            [f"https://{d}/{p}/{tokens[10 * i : 10 * i + 10]}" for i, (d, p) in enumerate(zip(names_, paths))],
            self._target_url_a[c["tgt"]].tolist(),
            names_.tolist(),
            self._target_dom_a[c["tgt"]].tolist(),
            _ANCHORS_A[c["anchor"]].tolist(),
            _LINK_TYPES_A[lt].tolist(),
            _REL_TEXT[lt].tolist(),
            _CONTEXT_A[c["anchor"]].tolist(),
            (c["position"].astype(str) if self.variant == "M" else _POS_O_A[c["position"] % len(POSITIONS_O)]).tolist(),
            np.where(c["image"], "t", "f").tolist(),
            np.where(c["active"], "t", "f").tolist(),
            c["passed"].astype(str).tolist(),
            spam.tolist(),
            np.where(c["active"], "200", "404").tolist(),
            last,
            [
                f'{{"authority_score": {a}, "spam_level": "{s}", "outbound_links": {o}}}'
                for a, s, o in zip(c["auth"].tolist(), spam.tolist(), c["outbound"].tolist())
            ],
            first.tolist(),
            last,
        ]
        if self.variant == "O":
            cols += [
                _IS_A["nofollow"][lt].tolist(),
                _IS_A["ugc"][lt].tolist(),
                _IS_A["sponsored"][lt].tolist(),
                c["page_auth"].astype(str).tolist(),
                c["auth"].astype(str).tolist(),
            ]
        assert all(len(col) == n for col in cols)
        return cols

    def link_text_chunk(self, n: int) -> bytes:
        """`n` backlinks as COPY text-format bytes."""
        cols = self._text_columns(self._draw(n))
        return ("\n".join(map("\t".join, zip(*cols))) + "\n").encode()

    def link_chunk(self, n: int) -> list[tuple]:
        """`n` backlinks as tuples in `link_columns` order, typed for a DB-API executemany."""
        c = self._draw(n)
        cols = self._text_columns(c)
        m = self.variant == "M"
        typed = {
            7: [json.dumps([t]) if t in _REL_TYPES else "[]" for t in _LINK_TYPES_A[c["ltype"]].tolist()],
            9: c["position"].tolist() if m else cols[9],
            10: c["image"].tolist(),
            11: c["active"].tolist(),
            12: c["passed"].tolist(),
            14: np.where(c["active"], 200, 404).tolist(),
            15: _ts(c["last"]),
            17: _ts(c["first"]),
            18: _ts(c["last"]),
        }
        if not m:
            lt = c["ltype"]
            typed.update(
                {
                    19: (_IS_A["nofollow"][lt] == "t").tolist(),
                    20: (_IS_A["ugc"][lt] == "t").tolist(),
                    21: (_IS_A["sponsored"][lt] == "t").tolist(),
                    22: c["page_auth"].tolist(),
                    23: c["auth"].tolist(),
                }
            )
        out_cols = [typed.get(i, col) for i, col in enumerate(cols)]
        return list(zip(*out_cols))

    def link_chunks(self, n: int, render):
        """Chunks of at most CHUNK rows, each rendered by `render(size)`."""
        done = 0
        while done < n:
            size = min(CHUNK, n - done)
            yield render(size)
            done += size


def _ts(values: np.ndarray) -> list[str]:
    """datetime64[s] -> "YYYY-MM-DD HH:MM:SS.000000", SQLAlchemy's SQLite format (PostgreSQL reads it too)."""
    return [s.replace("T", " ") + ".000000" for s in np.datetime_as_string(values, unit="s")]


def _uuids(rng: np.random.Generator, n: int) -> list[str]:
    """`n` uuid4-shaped texts from `rng`."""
    h = rng.bytes(16 * n).hex()
    variant = "89ab"
    return [
        f"{h[j : j + 8]}-{h[j + 8 : j + 12]}-4{h[j + 13 : j + 16]}-{variant[int(h[j + 16], 16) & 3]}{h[j + 17 : j + 20]}-{h[j + 20 : j + 32]}"
        for j in range(0, 32 * n, 32)
    ]


# -- PostgreSQL: COPY ----------------------------------------------------------------------------
def _copy_value(v) -> str:
    if v is None:
        return r"\N"
    if v is True:
        return "t"
    if v is False:
        return "f"
    if isinstance(v, list):
        return "{" + ",".join(v) + "}"
    # Generated text never holds tabs, newlines or backslashes, so no escaping is needed.
    return str(v)


def _copy_lines(rows: list[tuple]) -> bytes:
    return ("\n".join("\t".join(map(_copy_value, r)) for r in rows) + "\n").encode()


class _ChunkReader:
    """A file-like object for `copy_expert` that reads chunks produced on another thread."""

    def __init__(self, produce):
        self._queue: queue.Queue = queue.Queue(maxsize=4)
        self._buffer = b""
        self._done = False
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._fill, args=(produce,), daemon=True)
        self._thread.start()

    def _fill(self, produce) -> None:
        try:
            for chunk in produce():
                self._queue.put(chunk)
        except BaseException as exc:  # re-raised in the reading thread
            self.error = exc
        finally:
            self._queue.put(None)

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            chunk = self._queue.get()
            if chunk is None:
                self._done = True
                if self.error:
                    raise self.error
                break
            self._buffer += chunk
        if size < 0:
            out, self._buffer = self._buffer, b""
        else:
            out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


def _skip_fk_checks(cur) -> bool:
    """Turn off per-row foreign-key triggers for this transaction when the role may (superuser).

    Safe here because every domain a generated link names was inserted earlier in the same
    transaction; variant M's two FK lookups per row otherwise more than double the COPY time.
    Without the privilege the load simply runs with the checks.
    """
    cur.execute("SAVEPOINT mc_bulk_role")
    try:
        cur.execute("SET LOCAL session_replication_role = replica")
    except Exception:  # insufficient privilege: keep the checks
        cur.execute("ROLLBACK TO SAVEPOINT mc_bulk_role")
        return False
    cur.execute("RELEASE SAVEPOINT mc_bulk_role")
    return True


def _load_postgresql(engine, gen: _Generator, n: int, skip_fk_checks: bool = True) -> None:
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        dcols = ", ".join(gen.domain_columns())
        # Domains may exist from an earlier load: copy into a temp table, then insert the new ones.
        cur.execute("CREATE TEMP TABLE mc_bulk_domains (LIKE domains INCLUDING DEFAULTS) ON COMMIT DROP")
        domain_rows = gen.domain_rows()
        cur.copy_expert(
            f"COPY mc_bulk_domains ({dcols}) FROM STDIN",
            _ChunkReader(lambda: (_copy_lines(domain_rows[i : i + CHUNK]) for i in range(0, len(domain_rows), CHUNK))),
        )
        cur.execute(f"INSERT INTO domains ({dcols}) SELECT {dcols} FROM mc_bulk_domains ON CONFLICT DO NOTHING")
        lcols = ", ".join(gen.link_columns())
        if skip_fk_checks:
            _skip_fk_checks(cur)
        cur.copy_expert(
            f"COPY backlinks ({lcols}) FROM STDIN",
            _ChunkReader(lambda: gen.link_chunks(n, gen.link_text_chunk)),
            size=1 << 20,
        )
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()


# -- SQLite (and anything else): executemany -----------------------------------------------------
def _load_executemany(engine, gen: _Generator, n: int) -> None:
    present = {c["name"] for c in inspect(engine).get_columns("backlinks")}
    dcols, lcols = gen.domain_columns(), gen.link_columns()
    if not set(lcols) <= present:
        raise RuntimeError("backlinks lacks columns the bulk loader writes: " + ", ".join(sorted(set(lcols) - present)))
    marks = lambda cols: ", ".join("?" for _ in cols)  # noqa: E731
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        raw.executemany(
            f"INSERT OR IGNORE INTO domains ({', '.join(dcols)}) VALUES ({marks(dcols)})",
            [tuple(_sqlite_value(v) for v in r) for r in gen.domain_rows()],
        )
        sql = f"INSERT INTO backlinks ({', '.join(lcols)}) VALUES ({marks(lcols)})"
        for rows in gen.link_chunks(n, gen.link_chunk):
            raw.executemany(sql, [tuple(_sqlite_value(v) for v in r) for r in rows])


def _sqlite_value(v):
    # SQLite stores text[] / json columns as JSON text (see data.lp_tables).
    if isinstance(v, list):
        return json.dumps(v)
    if isinstance(v, (np.integer, np.bool_)):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v
