"""Plan and apply-report renderers: what a terminal, a PR comment and a script each read."""

from __future__ import annotations

import json
import re

from botops.model import ApplyResult, Change, Plan, ResourcePlan, Unmanaged
from botops.render.plan_markdown import render_markdown
from botops.render.plan_text import render_apply_report, render_text
from botops.sync.plan_json import plan_to_dict, render_json

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def support_update() -> ResourcePlan:
    return ResourcePlan(
        address="voicebot/bot_support01",
        kind="Voicebot",
        id="bot_support01",
        file="bots/customer-support.yaml",
        action="update",
        source_version="v3",
        changes=[
            Change("enable_greeting_interruption", False, True),
            Change("supported_languages", ["en"], ["en", "hi"]),
        ],
        payload={
            "source_version": "v3",
            "data": {"enable_greeting_interruption": True, "supported_languages": ["en", "hi"]},
            "version_description": "Add Hindi",
        },
        name="Acme Customer Support",
    )


def assistant_update(old: str, new: str, *, address: str = "assistant/asst_acme01") -> ResourcePlan:
    return ResourcePlan(
        address=address,
        kind="Assistant",
        id=address.split("/", 1)[1],
        file="bots/acme-assistant.yaml",
        action="update",
        source_version="v4",
        changes=[Change("instruction", old, new), Change("llm_config.temperature", 0.7, 0.3)],
        payload={"source_version": "v4", "instruction": new},
    )


def reminders_create() -> ResourcePlan:
    return ResourcePlan(
        address="voicebot/Payment Reminder Bot",
        kind="Voicebot",
        id=None,
        file="bots/reminders.yaml",
        action="create",
        source_version=None,
        changes=[
            Change("name", None, "Payment Reminder Bot"),
            Change("supported_languages", None, ["hi", "en"]),
        ],
        payload={
            "generation": {"text_content": "Remind customers of EMI payments"},
            "version": {"source_version": None, "data": {"supported_languages": ["hi", "en"]}},
        },
        name="Payment Reminder Bot",
    )


def unchanged(address: str = "voicebot/bot_payrem01") -> ResourcePlan:
    return ResourcePlan(
        address=address,
        kind="Voicebot",
        id=address.split("/", 1)[1],
        file="bots/payment-reminders.yaml",
        action="no-op",
        source_version="v2",
        name="Payment Reminder Bot",
    )


def plan_of(*resources: ResourcePlan, unmanaged: list[Unmanaged] | None = None) -> Plan:
    return Plan(
        base_url="http://127.0.0.1:8080",
        account_id="Exotel",
        resources=list(resources),
        unmanaged=unmanaged or [],
    )


# --- text ---------------------------------------------------------------------------------


def test_text_of_a_small_update_plan() -> None:
    plan = plan_of(support_update(), unchanged())
    assert render_text(plan, color=False) == (
        '~ voicebot/bot_support01 "Acme Customer Support" (bots/customer-support.yaml) '
        "will be updated in place, from version v3\n"
        '      # version_description: "Add Hindi"\n'
        "    ~ enable_greeting_interruption: false -> true\n"
        '    ~ supported_languages: ["en"] -> ["en", "hi"]\n'
        "\n"
        "Plan: 0 to create, 1 to update, 1 unchanged."
    )


def test_colour_codes_only_when_asked_for() -> None:
    plan = plan_of(support_update(), reminders_create())
    plain = render_text(plan, color=False)
    coloured = render_text(plan, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[33m~" in coloured  # yellow update
    assert "\x1b[32m+" in coloured  # green create
    assert "\x1b[1m" in coloured  # bold headers
    assert ANSI.sub("", coloured) == plain


def test_removed_values_are_red_and_marked_minus() -> None:
    resource = assistant_update("a", "b")
    resource.changes = [Change("agents[returns_handler]", {"role": "returns_handler"}, None)]
    plain = render_text(plan_of(resource), color=False)
    assert '    - agents[returns_handler].role: "returns_handler"' in plain.splitlines()
    assert "\x1b[31m- agents[returns_handler].role" in render_text(plan_of(resource), color=True)


def test_multiline_instruction_is_a_line_diff() -> None:
    old = "Greet the caller.\nAsk for the order number.\nRead back the status.\nSay goodbye."
    new = (
        "Greet the caller.\nAsk for the order number or phone.\nRead back the status.\nSay goodbye."
    )
    lines = render_text(plan_of(assistant_update(old, new)), color=False).splitlines()
    assert lines[:9] == [
        "~ assistant/asst_acme01 (bots/acme-assistant.yaml) will be updated in place, "
        "from version v4",
        "    ~ instruction:",
        "        @@ -1,4 +1,4 @@",
        "          Greet the caller.",
        "        - Ask for the order number.",
        "        + Ask for the order number or phone.",
        "          Read back the status.",
        "          Say goodbye.",
        "    ~ llm_config.temperature: 0.7 -> 0.3",
    ]


def test_an_added_agent_shows_its_instruction_line_by_line() -> None:
    resource = assistant_update("a", "b")
    resource.changes = [
        Change("agents[returns_handler]", None, {"role": "returns_handler", "instruction": "A\nB"})
    ]
    lines = render_text(plan_of(resource), color=False).splitlines()
    assert lines[1:5] == [
        '    + agents[returns_handler].role: "returns_handler"',
        "    + agents[returns_handler].instruction:",
        "        + A",
        "        + B",
    ]


def test_long_single_line_values_are_abbreviated() -> None:
    resource = support_update()
    resource.changes = [Change("name", "x" * 500, "Support")]
    [line] = [x for x in render_text(plan_of(resource), color=False).splitlines() if "name:" in x]
    assert len(line) < 200
    assert "…" in line and "(502 characters)" in line and line.endswith('-> "Support"')


def test_create_is_shown_with_every_field_added() -> None:
    text = render_text(plan_of(reminders_create()), color=False)
    assert text.splitlines()[:4] == [
        "+ voicebot/Payment Reminder Bot (bots/reminders.yaml) will be created through bot "
        "generation",
        '      # generated from: "Remind customers of EMI payments"',
        '    + name: "Payment Reminder Bot"',
        '    + supported_languages: ["hi", "en"]',
    ]
    assert text.splitlines()[-1] == "Plan: 1 to create, 0 to update, 0 unchanged."


def test_no_changes() -> None:
    plan = plan_of(unchanged("voicebot/a"), unchanged("voicebot/b"), unchanged("voicebot/c"))
    assert render_text(plan, color=False) == (
        "No changes. Live state matches the files (3 resources).\n\n"
        "Plan: 0 to create, 0 to update, 3 unchanged."
    )


def test_unmanaged_resources_are_listed_before_the_summary() -> None:
    plan = plan_of(
        unchanged(),
        unmanaged=[Unmanaged("assistant/asst_x"), Unmanaged("voicebot/bot_sales01", "Sales")],
    )
    assert render_text(plan, color=False).splitlines()[-6:] == [
        "",
        "2 live resources not managed by any file (botops never touches them):",
        "    assistant/asst_x",
        '    voicebot/bot_sales01 "Sales"',
        "",
        "Plan: 0 to create, 0 to update, 1 unchanged.",
    ]


def test_the_summary_is_always_the_last_line() -> None:
    for plan in (
        plan_of(),
        plan_of(support_update()),
        plan_of(reminders_create(), unmanaged=[Unmanaged("voicebot/x")]),
    ):
        for color in (False, True):
            last = ANSI.sub("", render_text(plan, color=color).splitlines()[-1])
            assert last == plan.summary()


# --- apply report -------------------------------------------------------------------------


def test_apply_report_has_a_line_per_outcome_and_a_summary() -> None:
    results = [
        ApplyResult("assistant/asst_acme01", "applied", new_version="v5"),
        ApplyResult("voicebot/bot_payrem01", "failed", message="400 bad language 'xx'"),
        ApplyResult(
            "voicebot/bot_support01",
            "stale",
            message="live version is v4, the plan was made on v3",
        ),
        ApplyResult("voicebot/bot_x", "unknown", message="connection dropped"),
    ]
    lines = render_apply_report(results, color=False).splitlines()
    assert lines[:5] == [
        "assistant/asst_acme01: applied, new version v5",
        "voicebot/bot_payrem01: failed: 400 bad language 'xx'",
        "voicebot/bot_support01: refused as stale: live version is v4, the plan was made on v3",
        "voicebot/bot_x: unknown (may or may not have been written): connection dropped",
        "Apply: 1 applied, 1 stale, 1 failed, 1 unknown.",
    ]
    assert "`botops plan`" in lines[5] and "`botops apply`" in lines[5]
    assert len(lines) == 7


def test_apply_report_counts_conflicts_only_when_there_are_some() -> None:
    results = [
        ApplyResult("voicebot/a", "applied", new_version="v2"),
        ApplyResult(
            "voicebot/b",
            "conflict",
            new_version="v5",
            message="written as v5 on v3, but another writer made v4 in the meantime",
        ),
    ]
    lines = render_apply_report(results, color=False).splitlines()
    assert lines[:3] == [
        "voicebot/a: applied, new version v2",
        "voicebot/b: conflict with another writer: written as v5 on v3, but another writer "
        "made v4 in the meantime",
        "Apply: 1 applied, 0 stale, 0 failed, 0 unknown, 1 conflict.",
    ]
    assert "one apply at a time per target" in lines[3]
    assert len(lines) == 4


def test_apply_report_when_all_applied_says_nothing_more() -> None:
    results = [
        ApplyResult(
            "voicebot/Payment Reminder Bot",
            "applied",
            new_version="v2",
            message="created as bot_9; add `bot_id: bot_9` to bots/reminders.yaml",
        )
    ]
    assert render_apply_report(results, color=False) == (
        "voicebot/Payment Reminder Bot: applied, new version v2; created as bot_9; "
        "add `bot_id: bot_9` to bots/reminders.yaml\n"
        "Apply: 1 applied, 0 stale, 0 failed, 0 unknown."
    )


def test_apply_report_colour_only_when_asked_for() -> None:
    results = [
        ApplyResult("voicebot/a", "applied", new_version="v2"),
        ApplyResult("voicebot/b", "stale", message="moved on"),
        ApplyResult("voicebot/c", "failed", message="boom"),
    ]
    plain = render_apply_report(results, color=False)
    coloured = render_apply_report(results, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[32mapplied" in coloured
    assert "\x1b[33mrefused as stale" in coloured
    assert "\x1b[31mfailed" in coloured
    assert ANSI.sub("", coloured) == plain


# --- markdown -----------------------------------------------------------------------------


def test_markdown_puts_the_summary_and_table_first() -> None:
    md = render_markdown(plan_of(support_update(), reminders_create(), unchanged()))
    summary = md.index("**Plan: 1 to create, 1 to update, 1 unchanged.**")
    table = md.index("| Resource | Action | File | Changed fields |")
    assert summary < table < md.index("<details>")
    assert (
        "| voicebot/bot\\_support01 (Acme Customer Support) | update from v3 | "
        "bots/customer-support.yaml | enable\\_greeting\\_interruption, supported\\_languages |"
    ) in md
    assert "| voicebot/Payment Reminder Bot | create through bot generation |" in md
    assert "bot\\_payrem01" not in md  # unchanged resources are only counted


def test_markdown_has_a_diff_block_per_changed_resource() -> None:
    old = "Greet the caller.\nAsk for the order number."
    new = "Greet the caller.\nAsk for the order number or phone."
    md = render_markdown(plan_of(support_update(), assistant_update(old, new), unchanged()))
    assert md.count("<details><summary>") == 2
    assert md.count("</details>") == 2
    assert md.count("```diff\n") == 2
    assert (
        "```diff\n"
        '  # version_description: "Add Hindi"\n'
        "- enable_greeting_interruption: false\n"
        "+ enable_greeting_interruption: true\n"
        '- supported_languages: ["en"]\n'
        '+ supported_languages: ["en", "hi"]\n'
        "```"
    ) in md
    assert (
        "~ instruction:\n@@ -1,2 +1,2 @@\n    Greet the caller.\n"
        "-   Ask for the order number.\n+   Ask for the order number or phone.\n"
    ) in md


def test_markdown_without_changes() -> None:
    md = render_markdown(plan_of(unchanged()))
    assert "No changes. Live state matches the files (1 resource)." in md
    assert "<details>" not in md and "| Resource |" not in md


def test_markdown_lists_unmanaged_resources() -> None:
    md = render_markdown(plan_of(unmanaged=[Unmanaged("voicebot/bot_sales01", "Sales <EU>")]))
    assert "**1 live resource not managed by any file**" in md
    assert "- voicebot/bot\\_sales01 (Sales &lt;EU&gt;)" in md


def test_markdown_escapes_names_in_table_cells_and_summaries() -> None:
    resource = support_update()
    resource.name = "Sales | <b>EU</b>"
    md = render_markdown(plan_of(resource))
    row = next(line for line in md.splitlines() if line.startswith("| voicebot/"))
    assert "Sales \\| &lt;b&gt;EU&lt;/b&gt;" in row
    assert len(re.findall(r"(?<!\\)\|", row)) == 5  # only the cell borders
    assert "(Sales | &lt;b&gt;EU&lt;/b&gt;)" in md  # in <summary>: HTML-escaped
    assert "<b>EU" not in md


def test_backticks_in_content_cannot_break_out_of_the_fence() -> None:
    old = "Say hello."
    new = "Say hello.\n```\n</details>\n# not a heading\n`````"
    md = render_markdown(plan_of(assistant_update(old, new)))
    fence = "``````"  # one longer than the longest run inside
    assert f"\n{fence}diff\n" in md
    block = md.split(f"{fence}diff\n", 1)[1].split(f"\n{fence}\n", 1)[0]
    assert "+   ```" in block and "+   </details>" in block and "+   `````" in block
    assert md.count("</details>") == 2  # the real one and the one inside the block


def test_markdown_shortens_the_longest_section_first() -> None:
    long_old = "\n".join(f"Step {i}: be polite." for i in range(3000))
    long_new = "\n".join(f"Step {i}: be kind." for i in range(3000))
    plan = plan_of(support_update(), assistant_update(long_old, long_new))
    md = render_markdown(plan, limit=20000)
    assert len(md) <= 20000
    # The small section is whole, the long one is cut with a note.
    assert '+ supported_languages: ["en", "hi"]' in md
    assert re.search(r"… [\d,]+ more lines; run `botops plan` locally to see the whole diff\.", md)
    assert md.count("<details>") == 2


def test_markdown_stays_under_the_limit_for_a_thousand_resources() -> None:
    old = "\n".join(f"Step {i}: answer politely and briefly." for i in range(200))
    new = "\n".join(f"Step {i}: answer kindly and briefly." for i in range(200))
    plan = plan_of(
        *(assistant_update(old, new, address=f"assistant/asst_{i:04d}") for i in range(1000))
    )
    md = render_markdown(plan)
    assert len(md) <= 60000
    assert md.startswith("### botops plan")
    assert "**Plan: 0 to create, 1000 to update, 0 unchanged.**" in md
    assert "run `botops plan` locally to see the whole diff" in md
    assert "more changed resources not" in md


def test_markdown_limit_holds_for_every_limit() -> None:
    old = "\n".join(f"line {i}" for i in range(50))
    plan = plan_of(
        *(assistant_update(old, old + "\nmore", address=f"assistant/a{i}") for i in range(20)),
        unmanaged=[Unmanaged(f"voicebot/u{i}", "U") for i in range(200)],
    )
    for limit in (50, 300, 1000, 3000, 10000, 30000):
        assert len(render_markdown(plan, limit=limit)) <= limit


# --- json ---------------------------------------------------------------------------------


def test_plan_to_dict_has_the_plan_file_shape() -> None:
    plan = plan_of(support_update(), unmanaged=[Unmanaged("voicebot/bot_sales01", "Sales")])
    assert plan_to_dict(plan) == {
        "format_version": 2,
        "base_url": "http://127.0.0.1:8080",
        "account_id": "Exotel",
        "environment": None,
        "commit": None,
        "created_at": None,
        "botops_version": None,
        "resources": [
            {
                "address": "voicebot/bot_support01",
                "kind": "Voicebot",
                "id": "bot_support01",
                "file": "bots/customer-support.yaml",
                "action": "update",
                "source_version": "v3",
                "name": "Acme Customer Support",
                "changes": [
                    {"path": "enable_greeting_interruption", "before": False, "after": True},
                    {"path": "supported_languages", "before": ["en"], "after": ["en", "hi"]},
                ],
                "payload": support_update().payload,
            }
        ],
        "unmanaged": [{"address": "voicebot/bot_sales01", "name": "Sales"}],
    }


def test_render_json_is_indented_stable_and_ends_with_a_newline() -> None:
    plan = plan_of(support_update(), reminders_create())
    text = render_json(plan)
    assert text.endswith("}\n")
    assert text.startswith('{\n  "format_version": 2,\n  "base_url"')
    assert json.loads(text) == plan_to_dict(plan)
    assert render_json(plan) == text


def test_control_characters_from_live_values_cannot_drive_the_terminal() -> None:
    resource = assistant_update("Hello.\nBye.", "Hello.\n\x1b[2JBye.")
    text = render_text(plan_of(resource), color=False)
    assert "\x1b" not in text
    assert "        + \\x1b[2JBye." in text.splitlines()
    report = render_apply_report(
        [ApplyResult("voicebot/a", "failed", message="x\x1b[31m")], color=False
    )
    assert "\x1b" not in report


def test_a_line_break_in_a_name_cannot_end_the_summary_element() -> None:
    resource = support_update()
    resource.name = "Acme\n\nSupport"
    md = render_markdown(plan_of(resource))
    summary = next(line for line in md.splitlines() if line.startswith("<details>"))
    assert summary.endswith("</summary>") and "(Acme  Support)" in summary


def test_a_change_only_in_line_endings_is_said_in_words() -> None:
    text = render_text(plan_of(assistant_update("One.\nTwo.", "One.\nTwo.\n")), color=False)
    assert text.splitlines()[1:3] == [
        "    ~ instruction:",
        "        ~ (only line endings or a final newline differ)",
    ]


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def hostile_plan() -> Plan:
    """ESC and C1 controls (`\\x9b` is a one-byte CSI; json.dumps(ensure_ascii=False) keeps it
    raw) everywhere live or file content reaches the output."""
    resource = assistant_update("a", "b", address="assistant/asst_\x9b2J")
    resource.file = "bots/\x1b[2Jx.yaml"
    resource.name = "Acme \x9b31m"
    resource.changes = [
        Change("agents[\x1b[31m]", None, {"role": "\x1b[31m", "tone": "\x9b2J"}),
        Change("llm_config.model", "gpt\x1b[0m", "gpt\x9b0m"),
        Change("instruction", "Hi.\nBye.", "Hi.\n\x9b2JBye."),
    ]
    return plan_of(
        resource,
        reminders_create(),
        unmanaged=[Unmanaged("voicebot/bot_\x1b]0;x\x07", "Sales \x9b1m")],
    )


def test_no_control_character_from_live_or_file_content_reaches_the_terminal() -> None:
    text = render_text(hostile_plan(), color=True)
    assert not CONTROL.search(ANSI.sub("", text))
    plain = render_text(hostile_plan(), color=False)
    assert not CONTROL.search(plain)
    # json.dumps already writes C0 controls as \u001b; C1 controls it leaves raw.
    assert '    ~ llm_config.model: "gpt\\u001b[0m" -> "gpt\\x9b0m"' in plain.splitlines()
    assert '    + agents[\\x1b[31m].tone: "\\x9b2J"' in plain.splitlines()
    assert '    voicebot/bot_\\x1b]0;x\\x07 "Sales \\x9b1m"' in plain.splitlines()


def test_no_control_character_reaches_the_pull_request_comment() -> None:
    md = render_markdown(hostile_plan())
    assert not CONTROL.search(md)
    assert '+ llm_config.model: "gpt\\x9b0m"' in md.splitlines()
    assert "+   \\x9b2JBye." in md.splitlines()
    assert "(Acme \\x9b31m)" in md
