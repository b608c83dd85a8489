"""The emulator's state in SQLite: voicebots, assistants and their versions, conversations and
bot-generation jobs.

One connection, used only from the event loop's thread, so requests never wait on each other for
the database and "database is locked" can't happen; writes still take `BEGIN IMMEDIATE` so that a
second process on the same file waits its turn instead of failing halfway. File databases use WAL.

Conversations are only ever added by `load` into an empty table, so their `seq` runs 1..N without
gaps and a page at any offset is a range lookup, not a scan.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botops.emulator.rules import ASSISTANT_TABLE, BOT_TABLE, FieldRule, now, version_number

SCHEMA = """
CREATE TABLE IF NOT EXISTS bots (
    seq INTEGER PRIMARY KEY,
    bot_id TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    date_created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bots_by_date ON bots (date_created);
CREATE TABLE IF NOT EXISTS bot_versions (
    bot_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    version_description TEXT,
    date_created TEXT NOT NULL,
    PRIMARY KEY (bot_id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS assistants (
    seq INTEGER PRIMARY KEY,
    assistant_id TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    stable_version INTEGER,
    data TEXT NOT NULL,
    date_created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS assistant_versions (
    assistant_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    mark_as_stable INTEGER NOT NULL,
    date_created TEXT NOT NULL,
    PRIMARY KEY (assistant_id, version)
) WITHOUT ROWID;
-- Descriptions of versions whose kind keeps none in its own table (assistants written in Exotel's
-- dialect, which sends `version_description`).
CREATE TABLE IF NOT EXISTS version_descriptions (
    kind TEXT NOT NULL,
    rid TEXT NOT NULL,
    version INTEGER NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (kind, rid, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS conversations (
    seq INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL UNIQUE,
    bot_id TEXT NOT NULL,
    start_time TEXT,
    call_metadata TEXT,
    transcript TEXT,
    insights TEXT,
    extra TEXT
);
CREATE TABLE IF NOT EXISTS generation_jobs (
    seq INTEGER PRIMARY KEY,
    job_id TEXT NOT NULL UNIQUE,
    text_content TEXT NOT NULL,
    created_at REAL NOT NULL,
    duration REAL NOT NULL,
    bot_id TEXT,
    reason TEXT
);
"""

# Every table of the schema (what `clear` empties): read from it, so that none is forgotten.
TABLES = tuple(re.findall(r"^CREATE TABLE IF NOT EXISTS (\w+)", SCHEMA, re.MULTILINE))

# conversation_id, bot_id, start_time, and call_metadata, transcript, insights, extra as JSON text
ConversationRow = tuple[str, str, str | None, str | None, str | None, str | None, str | None]

CONVERSATION_KEYS = (
    "conversation_id",
    "bot_id",
    "start_time",
    "call_metadata",
    "transcript",
    "insights",
)


@dataclass(frozen=True)
class Kind:
    """What differs between voicebots and assistants in the tables and in the answers, so that
    the store reads and writes both with one piece of code. (Not `botops.kinds.spec`: the emulator
    stands apart from the client it serves.)"""

    what: str  # as messages name one: "no voicebot has the id …"
    noun: str  # its tables' and id's stem: "bot" (and "bot … is defined twice")
    note: str  # the versions' own column: a description, or whether it was marked stable
    stable: bool  # whether it has a stable version (column `stable_version`, after `data`)
    fields: dict[str, FieldRule]  # its table in `rules`

    # The keys of a read, of a listing row and of a new version's answer, in order (`view`):
    # the id, the listed fields (a bot's name), the version (and stable version), the others.

    @property
    def shown(self) -> tuple[str, ...]:
        others = tuple(k for k, f in self.fields.items() if not f.listed)
        return (*self._head, *others, "date_created")

    @property
    def listed(self) -> tuple[str, ...]:
        return (*self._head, "date_created")

    @property
    def created(self) -> tuple[str, ...]:
        note = (self.note,) if self.stable else ()
        return (self.key, "version", *note, "date_created", *self._listed_fields)

    @property
    def _listed_fields(self) -> tuple[str, ...]:
        return tuple(k for k, f in self.fields.items() if f.listed)

    @property
    def _head(self) -> tuple[str, ...]:
        stable = ("stable_version",) if self.stable else ()
        return (self.key, *self._listed_fields, "version", *stable)

    @property
    def table(self) -> str:
        return f"{self.noun}s"

    @property
    def key(self) -> str:
        return f"{self.noun}_id"

    @property
    def versions(self) -> str:
        """The table of its versions."""
        return f"{self.noun}_versions"

    @property
    def columns(self) -> str:
        """The main table's columns after the id, in the order `view` takes them."""
        return "version, data, date_created" + (", stable_version" if self.stable else "")

    def note_value(self, stored: Any) -> Any:
        return bool(stored) if self.stable else stored

    def view(
        self,
        keys: tuple[str, ...],
        rid: str,
        version: int,
        data: str | dict[str, Any],
        date_created: str,
        stable: int | None = None,
        more: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A row as the API shows it: `keys` in order, each the row's own value where it has one
        (id, version, dates, `more`), else the field of the version's data."""
        fields = json.loads(data) if isinstance(data, str) else data
        own: dict[str, Any] = {
            self.key: rid,
            "version": f"v{version}",
            "date_created": date_created,
        }
        own.update(more or {})
        if self.stable:
            own["stable_version"] = None if stable is None else f"v{stable}"
        return {k: own[k] if k in own else fields.get(k) for k in keys}


VOICEBOT = Kind(
    what="voicebot",
    noun="bot",
    note="version_description",
    stable=False,
    fields=BOT_TABLE,
)
ASSISTANT = Kind(
    what="assistant",
    noun="assistant",
    note="mark_as_stable",
    stable=True,
    fields=ASSISTANT_TABLE,
)
# By the collection's name in paths.
KINDS = {"voicebots": VOICEBOT, "assistants": ASSISTANT}


class Refused(Exception):
    """A request the API answers with an error status; `message` names what was wrong."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class StoreError(Exception):
    """The database file can't be used."""


@dataclass
class Bot:
    bot_id: str
    version: int
    data: dict[str, Any]
    date_created: str
    # Earlier versions' (date_created, version_description) by number, where fixtures say; the
    # others were created with the latest and carry no description.
    history: dict[int, tuple[str, str | None]] = field(default_factory=dict)


@dataclass
class Assistant:
    assistant_id: str
    version: int
    stable_version: int | None
    data: dict[str, Any]
    date_created: str


@dataclass
class Dataset:
    """What fixtures, the demo and synthetic data put into an empty database."""

    bots: list[Bot] = field(default_factory=list)
    assistants: list[Assistant] = field(default_factory=list)
    conversations: list[ConversationRow] = field(default_factory=list)


@dataclass
class Job:
    job_id: str
    text_content: str
    created_at: float
    duration: float
    bot_id: str | None
    reason: str | None


def conversation_row(item: dict[str, Any]) -> ConversationRow:
    """A conversation object as the API shows it → the row that stores it."""

    def text(key: str) -> str | None:
        return json.dumps(item[key], ensure_ascii=False) if key in item else None

    extra = {k: v for k, v in item.items() if k not in CONVERSATION_KEYS}
    start = item.get("start_time")
    return (
        str(item["conversation_id"]),
        str(item["bot_id"]),
        None if start is None else str(start),
        text("call_metadata"),
        text("transcript"),
        text("insights"),
        json.dumps(extra, ensure_ascii=False) if extra else None,
    )


class Store:
    def __init__(self, path: Path | None = None) -> None:
        try:
            self.db = sqlite3.connect(
                ":memory:" if path is None else str(path), isolation_level=None
            )
            if path is not None:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA busy_timeout=10000")
            self.db.executescript(SCHEMA)
            self._count_conversations()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"can't use database {path}: {error}") from None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _write(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _one(self, sql: str, *args: Any) -> Any:
        return self.db.execute(sql, args).fetchone()

    def _count_conversations(self) -> None:
        count, last = self._one("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM conversations")
        self.conversation_total: int = count
        self._dense = count == last

    # Loading

    def is_empty(self) -> bool:
        tables = ("bots", "assistants", "conversations", "generation_jobs")
        return not any(self._one(f"SELECT EXISTS (SELECT 1 FROM {t})")[0] for t in tables)

    def clear(self) -> None:
        """Every table emptied, in one transaction."""
        with self._write():
            for table in TABLES:
                self.db.execute(f"DELETE FROM {table}")
        self._count_conversations()

    def load(self, dataset: Dataset, conversations: Iterable[ConversationRow] = ()) -> None:
        """Everything in one transaction: a bad item leaves the database as it was."""
        with self._write():
            for bot in dataset.bots:
                self._insert_bot(bot)
            for assistant in dataset.assistants:
                self._insert_assistant(assistant)
            insert = "INSERT INTO conversations VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)"
            try:
                self.db.executemany(insert, dataset.conversations)
                self.db.executemany(insert, conversations)
            except sqlite3.IntegrityError as error:
                raise Refused(400, f"conversations: {error}") from None
        self._count_conversations()

    def _insert_bot(self, bot: Bot) -> None:
        # Earlier versions exist too (a bot at v3 can be built on v1); their content is unknown,
        # so they hold the same data.
        self._insert(
            VOICEBOT,
            (bot.bot_id, bot.version, bot.data, bot.date_created),
            lambda n: _dated(bot.history.get(n), bot.date_created),
        )

    def _insert_assistant(self, assistant: Assistant) -> None:
        self._insert(
            ASSISTANT,
            (
                assistant.assistant_id,
                assistant.version,
                assistant.data,
                assistant.date_created,
                assistant.stable_version,
            ),
            lambda n: (int(n == assistant.stable_version), assistant.date_created),
        )

    def _insert(
        self, kind: Kind, row: tuple[Any, ...], earlier: Callable[[int], tuple[Any, str]]
    ) -> None:
        """`row` in `kind.columns` order after the id; `earlier(n)`: version n's note and date."""
        rid, version, data, *rest = row
        text = json.dumps(data, ensure_ascii=False)
        values = (rid, version, text, *rest)
        marks = ", ".join("?" * len(values))
        try:
            self.db.execute(
                f"INSERT INTO {kind.table} ({kind.key}, {kind.columns}) VALUES ({marks})", values
            )
        except sqlite3.IntegrityError:
            raise Refused(400, f"{kind.noun} {rid} is defined twice") from None
        self.db.executemany(
            f"INSERT INTO {kind.versions} VALUES (?, ?, ?, ?, ?)",
            ((rid, n, text, *earlier(n)) for n in range(1, version + 1)),
        )

    # Voicebots and assistants

    def get(self, kind: Kind, rid: str) -> dict[str, Any] | None:
        """The latest version, as the API's read shows it (None: no such resource)."""
        row = self._one(f"SELECT {kind.columns} FROM {kind.table} WHERE {kind.key} = ?", rid)
        return None if row is None else kind.view(kind.shown, rid, *row)

    def list_page(
        self,
        kind: Kind,
        limit: int,
        offset: int,
        start: str | None = None,
        end: str | None = None,
    ) -> tuple[int, list[dict[str, Any]]]:
        where, args = _date_range("date_created", start, end)
        (total,) = self._one(f"SELECT COUNT(*) FROM {kind.table}{where}", *args)
        rows = self.db.execute(
            f"SELECT {kind.key}, {kind.columns} FROM {kind.table}"
            f"{where} ORDER BY seq LIMIT ? OFFSET ?",
            (*args, limit, offset),
        )
        return total, [kind.view(kind.listed, *row) for row in rows]

    def new_version(
        self,
        kind: Kind,
        rid: str,
        source_version: str,
        changes: dict[str, Any],
        note: str | bool | None,
        description: str | None = None,
    ) -> dict[str, Any]:
        """A version built on `source_version` with `changes`; `note` is the version's
        description (voicebots) or whether it is marked stable (assistants); `description`,
        a description kept beside (assistants in Exotel's dialect)."""
        with self._write():
            row = self._one(f"SELECT version FROM {kind.table} WHERE {kind.key} = ?", rid)
            if row is None:
                raise Refused(404, f"no {kind.what} has the id {rid!r}")
            version = row[0] + 1
            merged = {**self._source(kind, rid, source_version, row[0]), **changes}
            data = json.dumps(merged, ensure_ascii=False)
            created = now()
            stored = int(note is True) if kind.stable else note
            self.db.execute(
                f"INSERT INTO {kind.versions} VALUES (?, ?, ?, ?, ?)",
                (rid, version, data, stored, created),
            )
            self.db.execute(
                f"UPDATE {kind.table} SET version = ?, data = ?, date_created = ? "
                f"WHERE {kind.key} = ?",
                (version, data, created, rid),
            )
            if kind.stable and note is True:
                self.db.execute(
                    f"UPDATE {kind.table} SET stable_version = ? WHERE {kind.key} = ?",
                    (version, rid),
                )
            if description is not None:
                self.db.execute(
                    "INSERT INTO version_descriptions VALUES (?, ?, ?, ?)",
                    (kind.what, rid, version, description),
                )
        return kind.view(kind.created, rid, version, merged, created, more={kind.note: note})

    def _source(self, kind: Kind, rid: str, source_version: str, latest: int) -> dict[str, Any]:
        number = version_number(source_version)
        row = None
        if number is not None and number <= latest:
            row = self._one(
                f"SELECT data FROM {kind.versions} WHERE {kind.key} = ? AND version = ?",
                rid,
                number,
            )
        if row is None:
            raise Refused(
                400,
                f"source_version {source_version!r} is not a version of {kind.what} {rid} "
                f"(its versions are v1 to v{latest})",
            )
        result: dict[str, Any] = json.loads(row[0])
        return result

    def versions(self, kind: Kind, rid: str) -> list[dict[str, Any]] | None:
        """Every version of a voicebot or assistant, oldest first (for tests to inspect)."""
        rows = self.db.execute(
            f"SELECT version, data, {kind.note}, date_created FROM {kind.versions} "
            f"WHERE {kind.key} = ? ORDER BY version",
            (rid,),
        ).fetchall()
        if not rows:
            return None
        return [
            {
                "version": f"v{version}",
                **json.loads(data),
                kind.note: kind.note_value(note),
                "date_created": created,
            }
            for version, data, note, created in rows
        ]

    def list_versions(
        self, kind: Kind, rid: str, limit: int, offset: int
    ) -> tuple[int, list[dict[str, Any]]] | None:
        """One page of a resource's version history, oldest first (None: no such resource)."""
        (total,) = self._one(f"SELECT COUNT(*) FROM {kind.versions} WHERE {kind.key} = ?", rid)
        if not total:
            return None
        rows = self.db.execute(
            f"SELECT version, date_created, {kind.note} FROM {kind.versions} WHERE {kind.key} = ? "
            "ORDER BY version LIMIT ? OFFSET ?",
            (rid, limit, offset),
        )
        items = [
            {"version": f"v{version}", "date_created": created, kind.note: kind.note_value(value)}
            for version, created, value in rows
        ]
        return total, items

    def description_of(self, kind: Kind, rid: str, version: int) -> str | None:
        """The description kept beside a version (see `new_version`), if any."""
        row = self._one(
            "SELECT description FROM version_descriptions WHERE kind = ? AND rid = ? "
            "AND version = ?",
            kind.what,
            rid,
            version,
        )
        return None if row is None else str(row[0])

    def nested(self, kind: Kind, rid: str, asked: str) -> dict[str, Any] | None:
        """A resource as Exotel's service reads it (`?version=stable|latest|vN`):
        `{<id>, stable_version, latest_version, date_created, versions: {"vN": data}}` holding
        the asked version, and the stable and the latest one beside it (None: no such resource;
        Refused: no such version)."""
        row = self._one(
            f"SELECT version, stable_version FROM {kind.table} WHERE {kind.key} = ?", rid
        )
        if row is None:
            return None
        latest, stable = row
        if asked == "stable":
            wanted = [stable] if stable is not None else []
        elif asked == "latest":
            wanted = [latest]
        else:
            number = version_number(asked)
            if number is None or number > latest:
                raise Refused(404, f"{kind.what} {rid} has no version {asked!r}")
            wanted = [number]
        numbers = sorted({*wanted, latest, *([stable] if stable is not None else [])})
        marks = ", ".join("?" * len(numbers))
        rows = self.db.execute(
            f"SELECT version, data, date_created FROM {kind.versions} WHERE {kind.key} = ? "
            f"AND version IN ({marks}) ORDER BY version",
            (rid, *numbers),
        ).fetchall()
        return {
            kind.key: rid,
            "stable_version": None if stable is None else f"v{stable}",
            "latest_version": f"v{latest}",
            "versions": {
                f"v{number}": {**json.loads(data), "date_created": created}
                for number, data, created in rows
            },
        }

    def create_bot(self, data: dict[str, Any]) -> str:
        """A new bot at v1 with a fresh id; call inside a write transaction."""
        while True:
            bot_id = f"bot_{secrets.token_hex(5)}"
            if self._one("SELECT 1 FROM bots WHERE bot_id = ?", bot_id) is None:
                break
        self._insert_bot(Bot(bot_id, 1, data, now()))
        return bot_id

    # Conversations

    def list_conversations(
        self, limit: int, offset: int, fields: Iterable[str] = ()
    ) -> tuple[int, list[dict[str, Any]]]:
        wanted = set(fields)
        columns = "conversation_id, bot_id, start_time, call_metadata, transcript, insights, extra"
        if self._dense:
            rows = self.db.execute(
                f"SELECT {columns} FROM conversations WHERE seq > ? ORDER BY seq LIMIT ?",
                (offset, limit),
            )
        else:
            rows = self.db.execute(
                f"SELECT {columns} FROM conversations ORDER BY seq LIMIT ? OFFSET ?",
                (limit, offset),
            )
        return self.conversation_total, [_conversation(row, wanted) for row in rows]

    def get_conversation(self, conversation_id: str) -> dict[str, Any] | None:
        row = self._one(
            "SELECT conversation_id, bot_id, start_time, call_metadata, transcript, insights, "
            "extra FROM conversations WHERE conversation_id = ?",
            conversation_id,
        )
        return None if row is None else _conversation(row, {"transcript", "insights"})

    # Bot-generation jobs

    def create_job(self, text_content: str, created_at: float, duration: float) -> str:
        with self._write():
            while True:
                job_id = f"gen_{secrets.token_hex(6)}"
                if self._one("SELECT 1 FROM generation_jobs WHERE job_id = ?", job_id) is None:
                    break
            self.db.execute(
                "INSERT INTO generation_jobs VALUES (NULL, ?, ?, ?, ?, NULL, NULL)",
                (job_id, text_content, created_at, duration),
            )
        return job_id

    def get_job(self, job_id: str) -> Job | None:
        row = self._one(
            "SELECT job_id, text_content, created_at, duration, bot_id, reason "
            "FROM generation_jobs WHERE job_id = ?",
            job_id,
        )
        return None if row is None else Job(*row)

    def unfinished_jobs(self) -> list[Job]:
        rows = self.db.execute(
            "SELECT job_id, text_content, created_at, duration, bot_id, reason "
            "FROM generation_jobs WHERE bot_id IS NULL AND reason IS NULL ORDER BY seq"
        )
        return [Job(*row) for row in rows]

    def finish_job(
        self, job_id: str, *, bot: dict[str, Any] | None, reason: str | None
    ) -> Job | None:
        """Ends the job once: a second call (timer and poll racing) finds it ended."""
        with self._write():
            job = self.get_job(job_id)
            if job is None or job.bot_id is not None or job.reason is not None:
                return job
            if bot is not None:
                job.bot_id = self.create_bot(bot)
            else:
                job.reason = reason or "generation failed"
            self.db.execute(
                "UPDATE generation_jobs SET bot_id = ?, reason = ? WHERE job_id = ?",
                (job.bot_id, job.reason, job_id),
            )
        return job


def _dated(given: tuple[str, str | None] | None, latest: str) -> tuple[str | None, str]:
    """(version_description, date_created) of an earlier version, as stored."""
    if given is None:
        return None, latest
    return given[1], given[0]


def _date_range(column: str, start: str | None, end: str | None) -> tuple[str, list[str]]:
    """`start` inclusive, `end` exclusive (callers turn an inclusive end into an exclusive one)."""
    clauses, args = [], []
    if start is not None:
        clauses.append(f"{column} >= ?")
        args.append(start)
    if end is not None:
        clauses.append(f"{column} < ?")
        args.append(end)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args


def _conversation(row: tuple[Any, ...], wanted: set[str]) -> dict[str, Any]:
    conversation_id, bot_id, start_time, call_metadata, transcript, insights, extra = row
    item: dict[str, Any] = {
        "conversation_id": conversation_id,
        "bot_id": bot_id,
        "call_metadata": None if call_metadata is None else json.loads(call_metadata),
    }
    if "transcript" in wanted:
        item["transcript"] = [] if transcript is None else json.loads(transcript)
    if "insights" in wanted:
        item["insights"] = None if insights is None else json.loads(insights)
    item["start_time"] = start_time
    if extra is not None:
        item.update(json.loads(extra))
    return item
