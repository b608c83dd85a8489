"""`botops analytics`: where the conversations and histories come from (the API, an export
file, a versions file) and which reports are built; `botops.cli.analytics` renders them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from botops.analytics import history as versions
from botops.analytics import summary as stats
from botops.analytics.by_version import VersionReport
from botops.analytics.exportfile import ExportFile
from botops.errors import UsageError

if TYPE_CHECKING:
    from botops.client import ApiClient
    from botops.usecases.session import Session


@dataclass(frozen=True)
class Reports:
    """What `botops analytics` shows: the report per bot (`plain`; with `--by version` only
    when the HTML page shows both), the report per version (`by_version`, with `--by version`),
    and where the conversations came from (`source`: the export file, or the target)."""

    plain: stats.Report | None
    by_version: VersionReport | None
    source: str


def analytics(
    session: Session,
    *,
    bot_id: str | None = None,
    output_format: str = "table",
    by: str | None = None,
    source: Path | None = None,
    versions_file: Path | None = None,
    on_progress: stats.OnProgress | None = None,
) -> Reports:
    """The reports. `output_format` says what to gather, not how to show it: bot names for
    people (not for json), and the plain report beside the one per version for html. With
    `--from` (and, for `--by version`, the `--versions` it then needs) nothing is sent."""
    export = _sources(by, source, versions_file)
    histories = versions.read_histories(versions_file) if versions_file is not None else None
    html = output_format == "html"
    by_version: VersionReport | None
    report: stats.Report | None
    if export is not None:
        label = str(source)
        if by is None:
            by_version, report = None, stats.report_from(export, bot_id=bot_id)
        else:
            assert histories is not None
            by_version, report = versions.version_report_from(
                export, histories, bot_id=bot_id, plain=html
            )
    else:

        async def build(client: ApiClient) -> tuple[VersionReport | None, stats.Report | None]:
            if by is None:
                plain = await stats.build_report(
                    client,
                    bot_id=bot_id,
                    names=output_format != "json",
                    on_progress=on_progress,
                )
                return None, plain
            return await versions.by_version(
                client,
                bot_id=bot_id,
                histories=histories,
                plain=html,
                on_progress=on_progress,
            )

        by_version, report = session.run(build)
        label = _target(session)
    return Reports(report, by_version, label)


def _target(session: Session) -> str:
    return f"{session.target.account_id} at {session.target.base_url}"


def _sources(by: str | None, source: Path | None, versions_file: Path | None) -> ExportFile | None:
    """The export file `--from` names (None: the API), once the options fit together: a
    versions file only with `--by version`, which needs times and, offline, that file."""
    if versions_file is not None and by != "version":
        raise UsageError("--versions goes with --by version")
    export = ExportFile(source) if source is not None else None
    if by == "version" and export is not None and not export.has_times:
        raise UsageError(
            f"{source}: --by version places each conversation in its version's time, and this "
            "CSV has no start_time column; export again (the export's CSV has one): "
            "botops conversations export --out calls.csv --fields insights"
        )
    if by == "version" and export is not None and versions_file is None:
        # --from is offline (DESIGN §13): the histories must come from a file too.
        raise UsageError(
            "--by version --from FILE needs --versions FILE (--from sends nothing, so it can't "
            "read histories from the API); make it with `botops history ID --format json >> "
            "versions.jsonl` for each bot"
        )
    return export
