"""`botops analytics`: where the conversations and histories come from (the API, an export
file, a versions file), which report is built, and how it is rendered."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from botops.analytics import history as versions
from botops.analytics import summary as stats
from botops.analytics.by_version import VersionReport
from botops.analytics.exportfile import ExportFile
from botops.errors import UsageError
from botops.render import analytics as plain_render
from botops.render import outcomes as version_render

if TYPE_CHECKING:
    from botops.client import ApiClient
    from botops.usecases.session import Session


def analytics(
    session: Session,
    *,
    bot_id: str | None = None,
    output_format: str = "table",
    by: str | None = None,
    source: Path | None = None,
    versions_file: Path | None = None,
    on_progress: stats.OnProgress | None = None,
) -> str:
    """The report's text. With `--from` (and, for `--by version`, the `--versions` it then
    needs) nothing is sent anywhere."""
    if versions_file is not None and by != "version":
        raise UsageError("--versions goes with --by version")
    export = ExportFile(source) if source is not None else None
    if by == "version" and export is not None and not export.has_times:
        raise UsageError(
            f"{source}: --by version places each conversation in its version's time, and the "
            "CSV export has no start time column (its columns are fixed); use a JSONL export: "
            "botops conversations export --out calls.jsonl --fields insights"
        )
    if by == "version" and export is not None and versions_file is None:
        # --from is offline (DESIGN §13): the histories must come from a file too.
        raise UsageError(
            "--by version --from FILE needs --versions FILE (--from sends nothing, so it can't "
            "read histories from the API); make it with `botops history ID --format json >> "
            "versions.jsonl` for each bot"
        )
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
    return _render(by_version, report, output_format, label)


def _target(session: Session) -> str:
    return f"{session.target.account_id} at {session.target.base_url}"


def _render(
    by_version: VersionReport | None,
    report: stats.Report | None,
    output_format: str,
    label: str,
) -> str:
    if by_version is None:
        assert report is not None
        return plain_render.render(report, output_format, source=label)
    if output_format == "html":
        assert report is not None
        sections = version_render.html_sections(by_version)
        return plain_render.render_html(report, source=label, sections=sections)
    renderers: dict[str, Any] = {
        "json": version_render.render_json,
        "markdown": version_render.render_markdown,
    }
    text: str = renderers.get(output_format, version_render.render_table)(by_version)
    return text
