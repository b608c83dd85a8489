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
import secrets
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botops.emulator.rules import now, version_number

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
        data = json.dumps(bot.data, ensure_ascii=False)
        try:
            self.db.execute(
                "INSERT INTO bots VALUES (NULL, ?, ?, ?, ?)",
                (bot.bot_id, bot.version, data, bot.date_created),
            )
        except sqlite3.IntegrityError:
            raise Refused(400, f"bot {bot.bot_id} is defined twice") from None
        # Earlier versions exist too (a bot at v3 can be built on v1); their content is unknown,
        # so they hold the same data.
        self.db.executemany(
            "INSERT INTO bot_versions VALUES (?, ?, ?, NULL, ?)",
            ((bot.bot_id, n, data, bot.date_created) for n in range(1, bot.version + 1)),
        )

    def _insert_assistant(self, assistant: Assistant) -> None:
        data = json.dumps(assistant.data, ensure_ascii=False)
        try:
            self.db.execute(
                "INSERT INTO assistants VALUES (NULL, ?, ?, ?, ?, ?)",
                (
                    assistant.assistant_id,
                    assistant.version,
                    assistant.stable_version,
                    data,
                    assistant.date_created,
                ),
            )
        except sqlite3.IntegrityError:
            raise Refused(400, f"assistant {assistant.assistant_id} is defined twice") from None
        self.db.executemany(
            "INSERT INTO assistant_versions VALUES (?, ?, ?, ?, ?)",
            (
                (
                    assistant.assistant_id,
                    n,
                    data,
                    int(n == assistant.stable_version),
                    assistant.date_created,
                )
                for n in range(1, assistant.version + 1)
            ),
        )

    # Voicebots

    def get_bot(self, bot_id: str) -> dict[str, Any] | None:
        row = self._one("SELECT version, data, date_created FROM bots WHERE bot_id = ?", bot_id)
        if row is None:
            return None
        version, data, date_created = row
        fields = json.loads(data)
        return {
            "bot_id": bot_id,
            "name": fields.get("name"),
            "version": f"v{version}",
            "enable_greeting_interruption": fields.get("enable_greeting_interruption"),
            "supported_languages": fields.get("supported_languages"),
            "date_created": date_created,
        }

    def list_bots(
        self, limit: int, offset: int, start: str | None = None, end: str | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        where, args = _date_range("date_created", start, end)
        (total,) = self._one(f"SELECT COUNT(*) FROM bots{where}", *args)
        rows = self.db.execute(
            "SELECT bot_id, version, data, date_created FROM bots"
            f"{where} ORDER BY seq LIMIT ? OFFSET ?",
            (*args, limit, offset),
        )
        items = [
            {
                "bot_id": bot_id,
                "name": json.loads(data).get("name"),
                "version": f"v{version}",
                "date_created": date_created,
            }
            for bot_id, version, data, date_created in rows
        ]
        return total, items

    def new_bot_version(
        self,
        bot_id: str,
        source_version: str,
        changes: dict[str, Any],
        version_description: str | None,
    ) -> dict[str, Any]:
        with self._write():
            row = self._one("SELECT version FROM bots WHERE bot_id = ?", bot_id)
            if row is None:
                raise Refused(404, f"no voicebot has the id {bot_id!r}")
            latest = row[0]
            source = self._source(
                "bot_versions", "bot_id", bot_id, source_version, latest, "voicebot"
            )
            data = json.dumps({**source, **changes}, ensure_ascii=False)
            created = now()
            self.db.execute(
                "INSERT INTO bot_versions VALUES (?, ?, ?, ?, ?)",
                (bot_id, latest + 1, data, version_description, created),
            )
            self.db.execute(
                "UPDATE bots SET version = ?, data = ?, date_created = ? WHERE bot_id = ?",
                (latest + 1, data, created, bot_id),
            )
        return {
            "bot_id": bot_id,
            "version": f"v{latest + 1}",
            "date_created": created,
            "name": json.loads(data).get("name"),
        }

    def _source(
        self, table: str, key: str, rid: str, source_version: str, latest: int, what: str
    ) -> dict[str, Any]:
        number = version_number(source_version)
        row = None
        if number is not None and number <= latest:
            row = self._one(
                f"SELECT data FROM {table} WHERE {key} = ? AND version = ?", rid, number
            )
        if row is None:
            raise Refused(
                400,
                f"source_version {source_version!r} is not a version of {what} {rid} "
                f"(its versions are v1 to v{latest})",
            )
        result: dict[str, Any] = json.loads(row[0])
        return result

    def versions(self, kind: str, rid: str) -> list[dict[str, Any]] | None:
        """Every version of a voicebot or assistant, oldest first (for tests to inspect)."""
        if kind == "voicebots":
            sql = (
                "SELECT version, data, version_description, date_created FROM bot_versions "
                "WHERE bot_id = ? ORDER BY version"
            )
        else:
            sql = (
                "SELECT version, data, mark_as_stable, date_created FROM assistant_versions "
                "WHERE assistant_id = ? ORDER BY version"
            )
        rows = self.db.execute(sql, (rid,)).fetchall()
        if not rows:
            return None
        extra = "version_description" if kind == "voicebots" else "mark_as_stable"
        return [
            {
                "version": f"v{version}",
                **json.loads(data),
                extra: bool(note) if extra == "mark_as_stable" else note,
                "date_created": created,
            }
            for version, data, note, created in rows
        ]

    def create_bot(self, data: dict[str, Any]) -> str:
        """A new bot at v1 with a fresh id; call inside a write transaction."""
        while True:
            bot_id = f"bot_{secrets.token_hex(5)}"
            if self._one("SELECT 1 FROM bots WHERE bot_id = ?", bot_id) is None:
                break
        self._insert_bot(Bot(bot_id, 1, data, now()))
        return bot_id

    # Assistants

    def get_assistant(self, assistant_id: str) -> dict[str, Any] | None:
        row = self._one(
            "SELECT version, stable_version, data, date_created FROM assistants "
            "WHERE assistant_id = ?",
            assistant_id,
        )
        if row is None:
            return None
        version, stable, data, date_created = row
        fields = json.loads(data)
        return {
            "assistant_id": assistant_id,
            "version": f"v{version}",
            "stable_version": None if stable is None else f"v{stable}",
            "instruction": fields.get("instruction"),
            "llm_config": fields.get("llm_config"),
            "agents": fields.get("agents"),
            "date_created": date_created,
        }

    def list_assistants(self, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        (total,) = self._one("SELECT COUNT(*) FROM assistants")
        rows = self.db.execute(
            "SELECT assistant_id, version, stable_version, date_created FROM assistants "
            "ORDER BY seq LIMIT ? OFFSET ?",
            (limit, offset),
        )
        items = [
            {
                "assistant_id": assistant_id,
                "version": f"v{version}",
                "stable_version": None if stable is None else f"v{stable}",
                "date_created": date_created,
            }
            for assistant_id, version, stable, date_created in rows
        ]
        return total, items

    def new_assistant_version(
        self,
        assistant_id: str,
        source_version: str,
        changes: dict[str, Any],
        mark_as_stable: bool,
    ) -> dict[str, Any]:
        with self._write():
            row = self._one("SELECT version FROM assistants WHERE assistant_id = ?", assistant_id)
            if row is None:
                raise Refused(404, f"no assistant has the id {assistant_id!r}")
            latest = row[0]
            source = self._source(
                "assistant_versions",
                "assistant_id",
                assistant_id,
                source_version,
                latest,
                "assistant",
            )
            data = json.dumps({**source, **changes}, ensure_ascii=False)
            created = now()
            version = latest + 1
            self.db.execute(
                "INSERT INTO assistant_versions VALUES (?, ?, ?, ?, ?)",
                (assistant_id, version, data, int(mark_as_stable), created),
            )
            self.db.execute(
                "UPDATE assistants SET version = ?, data = ?, date_created = ?, "
                "stable_version = CASE WHEN ? THEN ? ELSE stable_version END "
                "WHERE assistant_id = ?",
                (version, data, created, mark_as_stable, version, assistant_id),
            )
        return {
            "assistant_id": assistant_id,
            "version": f"v{version}",
            "mark_as_stable": mark_as_stable,
            "date_created": created,
        }

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
