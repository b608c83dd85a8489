"""`botops analytics`: where the conversations and histories come from (the API, an export
file, a versions file), which report is built, and how it is rendered."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botops import analytics as stats
from botops import versions
from botops.errors import UsageError
from botops.exportfile import ExportFile
from botops.render import analytics as plain_render
from botops.render import outcomes as version_render


async def analytics(
    make_client: Callable[[], Any],
    describe_target: Callable[[], str],
    *,
    bot_id: str | None = None,
    output_format: str = "table",
    out: Path | None = None,
    by: str | None = None,
    source: Path | None = None,
    versions_file: Path | None = None,
    on_progress: stats.OnProgress | None = None,
) -> tuple[str, Path | None]:
    """The report's text, and the file to write it to (html defaults to report.html).

    The API is used only for what no file gives: with `--from` and (for `--by version`)
    `--versions`, nothing is sent anywhere."""
    if versions_file is not None and by != "version":
        raise UsageError("--versions goes with --by version")
    export = ExportFile(source) if source is not None else None
    if by == "version" and export is not None and not export.has_times:
        raise UsageError(
            f"{source}: this CSV has no start_time column, so its conversations can't be placed "
            "in time; --by version needs a JSONL export (botops conversations export --out "
            "calls.jsonl --fields insights)"
        )
    histories = versions.read_histories(versions_file) if versions_file is not None else None
    needs_api = export is None or (by == "version" and histories is None)
    html = output_format == "html"
    label = str(source) if export is not None else ""
    opened = make_client() if needs_api else contextlib.nullcontext(None)
    async with opened as client:
        if needs_api and not label:
            label = describe_target()
        if by == "version":
            by_version, report = await versions.by_version(
                client,
                bot_id=bot_id,
                conversations=export,
                histories=histories,
                plain=html,
                on_progress=on_progress,
            )
        elif export is not None:
            by_version, report = None, stats.report_from(export, bot_id=bot_id)
        else:
            by_version = None
            report = await stats.build_report(
                client, bot_id=bot_id, names=output_format != "json", on_progress=on_progress
            )
    if html:
        assert report is not None
        sections = version_render.html_sections(by_version) if by_version else []
        page = plain_render.render_html(report, source=label, sections=sections)
        return page, out or Path("report.html")
    if by_version is not None:
        renderers = {
            "json": version_render.render_json,
            "markdown": version_render.render_markdown,
        }
        return renderers.get(output_format, version_render.render_table)(by_version), out
    assert report is not None
    plain = {"json": plain_render.render_json, "markdown": plain_render.render_markdown}
    return plain.get(output_format, plain_render.render_table)(report), out
