"""Many clients writing at once: every version is created exactly once, numbered without gaps."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path
from typing import Any

from tests.support import AS, VB, client, fleet_bots, write_fixtures

ASSISTANT = {"assistant_id": "asst_x", "version": "v1", "instruction": "Be brief."}


def test_concurrent_writes_lose_and_double_nothing(emulator_factory: Any, tmp_path: Path) -> None:
    fixtures = write_fixtures(tmp_path / "f.json", bots=fleet_bots(5), assistants=[ASSISTANT])
    emulator = emulator_factory("--fixtures", str(fixtures))
    # Threads 0-3 share bot_000; threads 4-7 have a bot each; two more write the assistant.
    targets = [f"{VB}/voicebots/bot_000/versions"] * 4
    targets += [f"{VB}/voicebots/bot_{i:03d}/versions" for i in range(1, 5)]
    targets += [f"{AS}/assistants/asst_x/versions"] * 2

    def writer(path: str) -> list[tuple[int, str]]:
        results = []
        with client(emulator) as http:
            for n in range(25):
                if "assistants" in path:
                    body: dict[str, Any] = {"source_version": "v1", "mark_as_stable": n % 2 == 0}
                else:
                    body = {"source_version": "v1", "data": {"name": f"Write {n}"}}
                response = http.post(path, json=body)
                results.append((response.status_code, response.json().get("version", "")))
        return results

    with concurrent.futures.ThreadPoolExecutor(len(targets)) as pool:
        answers = list(pool.map(writer, targets))

    assert {status for results in answers for status, _ in results} == {200}
    shared = sorted(int(v[1:]) for results in answers[:4] for _, v in results)
    assert shared == list(range(2, 102))  # 100 writes: v2..v101, each answered once
    with client(emulator) as http:
        for bot, expected in [("bot_000", 101)] + [(f"bot_{i:03d}", 26) for i in range(1, 5)]:
            history = http.get(f"/_emulator/voicebots/{bot}/versions").json()
            assert [v["version"] for v in history] == [f"v{n}" for n in range(1, expected + 1)]
            assert http.get(f"{VB}/voicebots/{bot}").json()["version"] == f"v{expected}"
        assistant = http.get(f"{AS}/assistants/asst_x").json()
        history = http.get("/_emulator/assistants/asst_x/versions").json()
    assert assistant["version"] == "v51" and len(history) == 51
    stable = [v["version"] for v in history if v["mark_as_stable"]]
    assert assistant["stable_version"] == stable[-1]
