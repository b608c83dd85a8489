"""`botops emulator`: load the data, bind, say where, serve until SIGTERM or Ctrl-C, exit 0."""

from __future__ import annotations

import contextlib
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from botops.emulator import conversations
from botops.emulator import fixtures as fixture_files
from botops.emulator.app import create_app
from botops.emulator.gateway import Faults, Gateway, RequestLog
from botops.emulator.generate import Generations
from botops.emulator.llmscript import Script
from botops.emulator.llmscript import load as load_script
from botops.emulator.rules import BOT_TABLE, defaults
from botops.emulator.store import Bot, Dataset, Refused, Store, StoreError
from botops.errors import BotopsError

# Bots for synthetic conversations when nothing else defines any.
SYNTHETIC_BOTS = [
    Bot(
        bot_id,
        1,
        {**defaults(BOT_TABLE), "name": name, "supported_languages": ["en", "hi"]},
        "2026-01-01T00:00:00Z",
    )
    for bot_id, name in (
        ("bot_synth01", "Synthetic Support Bot"),
        ("bot_synth02", "Synthetic Payment Reminder Bot"),
    )
]


# The account of examples/ and the demo's botops.yaml: what `--demo` serves.
DEMO_ACCOUNT = "Exotel"


class EmulatorError(BotopsError):
    """The emulator can't start."""


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    db: Path | None = None,
    demo: bool = False,
    fixtures: Path | None = None,
    latency_ms: int = 0,
    fault_rate: float = 0.0,
    lost_response_rate: float = 0.0,
    rate_limit: int | None = None,
    token: str | None = None,
    envelope: bool = False,
    dialect: str = "reference",
    generation_seconds: float = 2.0,
    synthetic_conversations: int = 0,
    accounts: tuple[str, ...] = (),
    request_log_size: int = 10_000,
    llm_script: Path | None = None,
) -> None:
    # A bad script stops the start before anything is opened or loaded.
    script = load_script(llm_script) if llm_script is not None else None
    try:
        store = Store(db)
    except StoreError as error:
        raise EmulatorError(str(error)) from None
    try:
        start = Seed(demo=demo, fixtures=fixtures, synthetic=synthetic_conversations)
        if demo or fixtures or synthetic_conversations:
            seed(store, start, db=db)
        faults = Faults(
            latency_ms=latency_ms,
            fault_rate=fault_rate,
            lost_response_rate=lost_response_rate,
            rate_limit=rate_limit,
            token=token,
            envelope=envelope,
            accounts=frozenset(accounts or ((DEMO_ACCOUNT,) if demo else ())),
            dialect=dialect,
        )
        log = RequestLog(request_log_size)
        generations = Generations(store, generation_seconds)
        app = create_app(
            store,
            generations,
            log,
            envelope=envelope or dialect == "exotel",
            dialect=dialect,
            script=script,
        )
        gateway = Gateway(app, faults, log)
        app.state.reset = resetter(store, start, generations, gateway, db=db, script=script)
        sock = listen(host, port)
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{sock.getsockname()[1]}"
        config = uvicorn.Config(
            gateway,
            log_level="warning",
            access_log=False,
            lifespan="on",
            # uvloop and httptools (uvicorn's `standard` extra, in botops's `emulator` extra)
            # where they are installed: a quarter less CPU a request; else asyncio and h11.
            loop="auto",
            http="auto",
            ws="none",
            timeout_graceful_shutdown=2,
        )
        _Server(config, ready=f"botops emulator listening on {url}").run(sockets=[sock])
    finally:
        store.close()


@dataclass
class Seed:
    """What `--demo`, `--fixtures` and `--synthetic-conversations` load. The files are read at
    the first load; a reset loads that same data again, even if a file changed since."""

    demo: bool = False
    fixtures: Path | None = None
    synthetic: int = 0
    _dataset: Dataset | None = field(default=None, repr=False)

    @property
    def dataset(self) -> Dataset:
        if self._dataset is None:
            dataset = Dataset()
            for path in ([fixture_files.DEMO] if self.demo else []) + (
                [self.fixtures] if self.fixtures else []
            ):
                found = fixture_files.read(path)
                dataset.bots += found.bots
                dataset.assistants += found.assistants
                dataset.conversations += found.conversations
            if self.synthetic and not dataset.bots:
                dataset.bots += SYNTHETIC_BOTS
            self._dataset = dataset
        return self._dataset

    def load(self, store: Store) -> None:
        dataset = self.dataset
        rows = conversations.synthetic(self.synthetic, dataset.bots) if self.synthetic else ()
        try:
            store.load(dataset, rows)
        except Refused as error:
            raise EmulatorError(f"can't load the data: {error.message}") from None


def seed(store: Store, start: Seed, *, db: Path | None) -> None:
    """Loads the demo, fixtures and synthetic conversations, but only into an empty database."""
    if not store.is_empty():
        print(
            f"botops emulator: {db} already holds data; --demo, --fixtures and "
            "--synthetic-conversations are only loaded into an empty database",
            file=sys.stderr,
        )
        return
    started = time.perf_counter()
    start.load(store)
    print(
        f"botops emulator: loaded {len(start.dataset.bots)} bots, "
        f"{len(start.dataset.assistants)} assistants, {store.conversation_total} conversations "
        f"in {time.perf_counter() - started:.2f} s",
        file=sys.stderr,
    )


def resetter(
    store: Store,
    start: Seed,
    generations: Generations,
    gateway: Gateway,
    *,
    db: Path | None,
    script: Script | None = None,
) -> Callable[[], None]:
    """What `POST /_emulator/reset` does: back to the data the emulator started with, no
    generation job, nothing in the request log, an empty rate-limit window, the LLM script's
    `replies` from the first again."""

    def reset() -> None:
        if db is not None:
            raise Refused(409, "an emulator with --db keeps its data: restart it to reset")
        generations.cancel()
        store.clear()
        start.load(store)
        gateway.log.clear()
        gateway.admitted.clear()
        if script is not None:
            script.rewind()

    return reset


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket. IPPROTO_TCP, not 0: only then does asyncio set TCP_NODELAY, and
    without it every keep-alive response waits ~40 ms for a delayed ACK."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as error:
        sock.close()
        raise EmulatorError(f"can't listen on {host}:{port}: {error.strerror or error}") from None
    return sock


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, *, ready: str) -> None:
        super().__init__(config)
        self.ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            print(self.ready, flush=True)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn re-raises the signal after a graceful shutdown, which turns a clean stop into
        # death by SIGTERM; stopping the emulator is its normal end, so it exits 0 instead.
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
