"""Environments, overrides and guards as library functions: choosing an environment, its
credentials, merging an override with its positions, and every guard's message."""

from __future__ import annotations

from pathlib import Path

import pytest

from botops.errors import PlanError, Problem, UsageError
from botops.model import Environment
from botops.project.environments import (
    across_environments,
    check_credentials_target,
    credential_variables,
    environments_from,
    named_environment,
    project_issues,
    select_environment,
    variable_suffix,
)
from botops.project.guards import Guards, percent
from botops.project.overrides import effective, environment_issues, exists_in
from botops.support.yamlpos import Document, Issue, parse
from botops.sync.env_layout import (
    Candidate,
    differences,
    matching,
    own_file_document,
    with_override,
)

ENVIRONMENTS = {
    "staging": Environment("staging", account_id="acme-staging"),
    "prod": Environment("prod", account_id="acme"),
}


def document(text: str) -> Document:
    documents, issues = parse(text)
    assert issues == []
    return documents[0]


# ---------------------------------------------------------------------------------- choosing


def test_the_option_wins_over_botops_env() -> None:
    chosen = select_environment(ENVIRONMENTS, "prod", {"BOTOPS_ENV": "staging"}, required=True)
    assert chosen == ENVIRONMENTS["prod"]
    chosen = select_environment(ENVIRONMENTS, None, {"BOTOPS_ENV": "staging"}, required=True)
    assert chosen == ENVIRONMENTS["staging"]


@pytest.mark.parametrize(
    ("option", "environ", "named"),
    [
        (" prod ", {"BOTOPS_ENV": "staging"}, ("prod", "--env")),
        ("", {"BOTOPS_ENV": " prod"}, ("prod", "BOTOPS_ENV")),
        (None, {"BOTOPS_ENV": " "}, (None, "BOTOPS_ENV")),
        (None, {}, (None, "BOTOPS_ENV")),
    ],
)
def test_the_name_and_who_gave_it(
    option: str | None, environ: dict[str, str], named: tuple[str | None, str]
) -> None:
    assert named_environment(option, environ) == named


def test_an_api_command_without_an_environment_names_the_choices() -> None:
    with pytest.raises(UsageError) as caught:
        select_environment(ENVIRONMENTS, None, {"BOTOPS_ENV": " "}, required=True)
    assert str(caught.value) == (
        "botops.yaml defines environments (prod, staging): choose one with --env NAME or BOTOPS_ENV"
    )
    assert select_environment(ENVIRONMENTS, None, {}, required=False) is None
    assert select_environment({}, None, {}, required=True) is None


@pytest.mark.parametrize(
    ("option", "environ", "message"),
    [
        (
            "prdo",
            {},
            "--env: unknown environment 'prdo' (did you mean 'prod'?); "
            "botops.yaml defines prod, staging",
        ),
        (
            None,
            {"BOTOPS_ENV": "Staging"},
            "BOTOPS_ENV: unknown environment 'Staging' (did you mean 'staging'?); "
            "botops.yaml defines prod, staging",
        ),
        ("qa", {}, "--env: unknown environment 'qa'; botops.yaml defines prod, staging"),
    ],
)
def test_an_unknown_name_gets_did_you_mean(
    option: str | None, environ: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        select_environment(ENVIRONMENTS, option, environ, required=True)
    assert str(caught.value) == message


def test_a_name_without_environments_is_refused() -> None:
    with pytest.raises(UsageError) as caught:
        select_environment({}, "prod", {}, required=False)
    assert str(caught.value) == (
        "--env: environment 'prod' is not defined: botops.yaml defines no environments"
    )


def test_environments_keep_their_own_settings(tmp_path: Path) -> None:
    settings = {
        "environments": {
            "prod": {"account_id": 42, "paths": ["bots", "prod"], "guards": {"models": ["m"]}},
            "staging": {"base_url": "http://s"},
        }
    }
    found = environments_from(settings, tmp_path)
    assert found["prod"] == Environment(
        "prod",
        account_id="42",
        paths=(tmp_path / "bots", tmp_path / "prod"),
        guards={"models": ["m"]},
    )
    assert found["staging"] == Environment("staging", base_url="http://s")


def test_two_names_that_share_credential_variables_are_a_problem() -> None:
    project = document("environments:\n  eu-west: {}\n  eu_west: {}\n  EU.west: {}\n")
    assert project_issues(project) == [
        Issue(
            3,
            3,
            "environments 'eu-west' and 'eu_west' would both use the credentials "
            "BOTOPS_TOKEN_EU_WEST; rename one of them",
        ),
        Issue(
            4,
            3,
            "environments 'eu-west' and 'EU.west' would both use the credentials "
            "BOTOPS_TOKEN_EU_WEST; rename one of them",
        ),
    ]


# ---------------------------------------------------------------------------------- credentials


def test_credential_variables_upper_case_the_name_and_replace_other_characters() -> None:
    assert variable_suffix("prod") == "PROD"
    assert variable_suffix("eu-west.2") == "EU_WEST_2"


def test_an_environments_own_token_comes_before_the_plain_variables() -> None:
    environ = {"BOTOPS_TOKEN": "plain", "BOTOPS_TOKEN_PROD": "prod-token"}
    assert credential_variables("prod", environ) == (
        {"BOTOPS_TOKEN": "prod-token"},
        "BOTOPS_TOKEN_PROD",
    )
    assert credential_variables("staging", environ) == ({"BOTOPS_TOKEN": "plain"}, None)
    assert credential_variables(None, environ) == ({"BOTOPS_TOKEN": "plain"}, None)


def test_an_environments_own_basic_pair_hides_the_plain_token() -> None:
    environ = {
        "BOTOPS_TOKEN": "plain",
        "BOTOPS_API_KEY_EU_WEST": "key",
        "BOTOPS_API_TOKEN_EU_WEST": "secret",
    }
    assert credential_variables("eu-west", environ) == (
        {"BOTOPS_API_KEY": "key", "BOTOPS_API_TOKEN": "secret"},
        "BOTOPS_API_KEY_EU_WEST and BOTOPS_API_TOKEN_EU_WEST",
    )


def test_half_a_pair_of_an_environment_is_refused_not_completed() -> None:
    environ = {"BOTOPS_API_KEY_PROD": "key", "BOTOPS_API_TOKEN": "plain-secret"}
    with pytest.raises(UsageError) as caught:
        credential_variables("prod", environ)
    assert str(caught.value) == "BOTOPS_API_KEY_PROD is set but BOTOPS_API_TOKEN_PROD is missing"
    with pytest.raises(UsageError) as caught:
        credential_variables("prod", {"BOTOPS_API_TOKEN_PROD": "s3cret"})
    assert str(caught.value) == "BOTOPS_API_TOKEN_PROD is set but BOTOPS_API_KEY_PROD is missing"
    assert "s3cret" not in str(caught.value)


def test_an_environments_credentials_go_only_to_its_own_base_url() -> None:
    check_credentials_target("prod", "BOTOPS_TOKEN_PROD", "https://a.example/", "https://a.example")
    with pytest.raises(UsageError) as caught:
        check_credentials_target(
            "prod", "BOTOPS_TOKEN_PROD", "https://a.example", "http://127.0.0.1:9/api/v2"
        )
    assert str(caught.value) == (
        "the credentials in BOTOPS_TOKEN_PROD belong to environment 'prod' (https://a.example); "
        "refusing to send them to http://127.0.0.1:9"
    )


# ---------------------------------------------------------------------------------- overrides

ASSISTANT = """\
kind: Assistant
assistant_id: asst_1
instruction: Be brief.
llm_config: {model: gpt-4o, temperature: 0.7}
environments: [staging, prod]
overrides:
  prod:
    assistant_id: asst_9
    llm_config: {temperature: 0.2, max_tokens: 300}
    instruction_file: prompts/prod.md
  staging: {agents: [{role: a, instruction: x}]}
"""


def test_an_override_merges_mappings_key_by_key_and_replaces_the_rest() -> None:
    prod = effective(document(ASSISTANT), "prod")
    assert prod.document.value == {
        "kind": "Assistant",
        "assistant_id": "asst_9",
        "llm_config": {"model": "gpt-4o", "temperature": 0.2, "max_tokens": 300},
        "instruction_file": "prompts/prod.md",
    }
    assert prod.overridden_fields() == {
        "assistant_id",
        "llm_config.temperature",
        "llm_config.max_tokens",
        "instruction_file",
    }
    staging = effective(document(ASSISTANT), "staging")
    assert staging.document.value["agents"] == [{"role": "a", "instruction": "x"}]
    assert staging.document.value["instruction"] == "Be brief."
    assert staging.overridden_fields() == {"agents"}


def test_overridden_values_keep_the_overrides_positions() -> None:
    prod = effective(document(ASSISTANT), "prod").document
    assert prod.where(("assistant_id",)) == (8, 19)
    assert prod.key_at(("assistant_id",)) == (8, 5)
    assert prod.where(("llm_config", "temperature")) == (9, 31)
    assert prod.where(("llm_config", "model")) == (4, 21)
    assert prod.where(("instruction_file",)) == (10, 23)
    assert ("instruction",) not in prod.values
    assert not any(path and path[0] == "overrides" for path in prod.values)
    staging = effective(document(ASSISTANT), "staging").document
    assert staging.where(("agents", 0, "role")) == (11, 29)


def test_a_document_without_environments_is_used_as_it_is() -> None:
    plain = document("kind: Voicebot\nname: x\n")
    assert effective(plain, "prod").document is plain
    assert exists_in(plain, "prod")
    assert exists_in(document(ASSISTANT), "prod")
    assert not exists_in(document("kind: Voicebot\nname: x\nenvironments: [prod]\n"), "qa")


def test_environment_names_a_file_uses_must_be_defined() -> None:
    text = (
        "kind: Voicebot\n"
        "name: x\n"
        "environments: [staging, prdo]\n"
        "overrides:\n"
        "  prod: {name: y}\n"
        "  qa: {name: z}\n"
    )
    assert environment_issues(document(text), ["prod", "staging"]) == [
        Issue(
            3,
            25,
            "unknown environment 'prdo' (did you mean 'prod'?); botops.yaml defines prod, staging",
        ),
        Issue(
            5,
            3,
            "overrides for environment 'prod', where this resource does not exist "
            "(environments: staging, prdo)",
        ),
        Issue(6, 3, "unknown environment 'qa'; botops.yaml defines prod, staging"),
    ]
    assert environment_issues(document(text), []) == [
        Issue(3, 16, "environment 'staging' is not defined: botops.yaml defines no environments"),
        Issue(3, 25, "environment 'prdo' is not defined: botops.yaml defines no environments"),
        Issue(5, 3, "environment 'prod' is not defined: botops.yaml defines no environments"),
        Issue(6, 3, "environment 'qa' is not defined: botops.yaml defines no environments"),
    ]


# ---------------------------------------------------------------------------------- guards

GUARDS = {
    "models": ["gpt-4o", "gpt-4o-mini"],
    "temperature": {"max": 1.0},
    "top_p": {"min": 0.5},
    "max_tokens": {"min": 100, "max": 2000},
    "required_languages": ["en"],
}


def test_guards_report_the_value_that_breaks_them() -> None:
    guards = Guards.of(GUARDS, "prod", {"temperature": {"max": 0.5}, "required_languages": ["hi"]})
    assistant = document(
        "kind: Assistant\nassistant_id: a\n"
        "llm_config: {model: gpt-4, temperature: 0.8, top_p: 0.1, max_tokens: 4096}\n"
    )
    assert guards.issues("Assistant", assistant) == [
        Issue(3, 21, "model 'gpt-4' is not allowed by guards.models (gpt-4o, gpt-4o-mini)"),
        Issue(3, 53, "top_p 0.1 is below the minimum 0.5 of guards.top_p"),
        Issue(3, 70, "max_tokens 4096 is above the maximum 2000 of guards.max_tokens"),
        Issue(
            3,
            41,
            "temperature 0.8 is above the maximum 0.5 of environments.prod.guards.temperature",
        ),
    ]
    voicebot = document("kind: Voicebot\nname: x\nsupported_languages: [ta]\n")
    assert guards.issues("Voicebot", voicebot) == [
        Issue(
            3,
            22,
            "supported_languages lacks 'en', which guards.required_languages asks of "
            "every voicebot",
        ),
        Issue(
            3,
            22,
            "supported_languages lacks 'hi', which environments.prod.guards."
            "required_languages asks of every voicebot",
        ),
    ]
    unmanaged = document("kind: Voicebot\nname: x\n")
    assert guards.issues("Voicebot", unmanaged)[0] == Issue(
        1,
        1,
        "supported_languages must be given: guards.required_languages asks every voicebot for 'en'",
    )


def test_values_of_the_wrong_type_are_left_to_the_schema() -> None:
    guards = Guards.of(GUARDS, None, None)
    wrong = document(
        "kind: Assistant\nassistant_id: a\nllm_config: {model: 4, temperature: high}\n"
    )
    assert guards.issues("Assistant", wrong) == []
    assert Guards.of(None, "prod", None).issues("Assistant", wrong) == []


def test_the_mass_change_guard_counts_only_above_ten_managed() -> None:
    guards = Guards.of({"max_changed_share": 0.3}, None, None)
    guards.check_share(10, 10, allowed=False)
    guards.check_share(6, 20, allowed=False)
    guards.check_share(29, 100, allowed=False)
    guards.check_share(20, 20, allowed=True)
    with pytest.raises(PlanError) as caught:
        guards.check_share(5, 12, allowed=False)
    assert str(caught.value) == (
        "this plan changes 5 of 12 managed resources (41.7%), more than "
        "guards.max_changed_share allows (30%); if that is meant, pass --allow-mass-change"
    )
    Guards.of({"models": ["m"]}, None, None).check_share(12, 12, allowed=False)


def test_percent_shows_enough_digits() -> None:
    assert [percent(0.3), percent(5 / 12), percent(1.0), percent(0.005)] == [
        "30%",
        "41.7%",
        "100%",
        "0.5%",
    ]


# ---------------------------------------------------------------------------------- import --env


def candidate(text: str, file: str = "bots/support.yaml") -> Candidate:
    documents, _ = parse(text)
    return Candidate(file, text, documents[0], len(documents))


STAGING_IMPORT = """\
# yaml-language-server: $schema=../schemas/voicebot.schema.json
kind: Voicebot
name: Acme Support   # the name callers hear
supported_languages: [en]
environments: [staging]
overrides:
  staging: {bot_id: bot_stg01}
"""


def test_importing_a_second_account_adds_its_id_beside_the_first() -> None:
    found = candidate(STAGING_IMPORT)
    assert matching("Acme Support", "bot_prd01", [found], "prod", ["prod", "staging"]) == found
    fields = differences(found, "prod", "bot_prd01", {"supported_languages": ["en", "hi"]})
    assert fields == {"bot_id": "bot_prd01", "supported_languages": ["en", "hi"]}
    assert with_override(found, "prod", fields) == STAGING_IMPORT.replace(
        "[staging]\n", "[staging, prod]\n"
    ).replace(
        "overrides:\n",
        "overrides:\n  prod: {bot_id: bot_prd01, supported_languages: [en, hi]}\n",
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "kind: Voicebot\nname: A\nbot_id: bot_s\n",
            "kind: Voicebot\nname: A\nbot_id: bot_s\noverrides:\n  prod: {bot_id: '017'}\n",
        ),
        (
            "kind: Voicebot\nname: A\nenvironments:\n  - staging\noverrides: {staging: {x: 1}}\n",
            "kind: Voicebot\nname: A\nenvironments:\n  - staging\n  - prod\n"
            "overrides: {prod: {bot_id: '017'}, staging: {x: 1}}\n",
        ),
        (
            "kind: Voicebot\nname: A\noverrides:\n  prod:\n    name: B\n",
            "kind: Voicebot\nname: A\noverrides:\n  prod:\n    bot_id: '017'\n    name: B\n",
        ),
        (
            "kind: Voicebot\nname: A\noverrides:\n  prod: {name: B}",
            "kind: Voicebot\nname: A\noverrides:\n  prod: {bot_id: '017', name: B}\n",
        ),
    ],
)
def test_the_override_is_written_into_the_files_own_layout(before: str, after: str) -> None:
    assert with_override(candidate(before), "prod", {"bot_id": "017"}) == after


def test_a_file_that_cant_be_edited_safely_says_what_to_add_by_hand() -> None:
    for text in (
        "kind: Voicebot\nname: A\n---\nkind: Voicebot\nname: B\n",
        "kind: Voicebot\nname: A\nenvironments: [\n  staging]\n",
        "kind: Voicebot\nname: A\noverrides: {prod: null}\n",
    ):
        with pytest.raises(UsageError) as caught:
            with_override(candidate(text), "prod", {"bot_id": "bot_p"})
        assert str(caught.value) == (
            "bots/support.yaml: can't add overrides.prod safely; add `prod: {bot_id: bot_p}` "
            "under `overrides:` by hand (nothing was written)"
        )


def test_a_voicebot_already_declared_for_the_environment_is_left_alone() -> None:
    both = candidate(
        STAGING_IMPORT.replace("[staging]", "[staging, prod]") + "  prod: {bot_id: bot_p}\n"
    )
    assert matching("Acme Support", "bot_p", [both], "prod", ["prod", "staging"]) is None
    other = candidate("kind: Voicebot\nname: Other\n")
    assert matching("Acme Support", "bot_p", [other], "prod", ["prod", "staging"]) is None
    twice = [candidate(STAGING_IMPORT, "a.yaml"), candidate(STAGING_IMPORT, "b.yaml")]
    with pytest.raises(UsageError) as caught:
        matching("Acme Support", "bot_p", twice, "prod", ["prod", "staging"])
    assert str(caught.value) == (
        "voicebot 'Acme Support' is declared by several files (a.yaml, b.yaml); import can't "
        "tell which one to add it to, so nothing was written"
    )


def test_a_new_file_under_an_environment_exists_only_there() -> None:
    bot = {"kind": "Voicebot", "bot_id": "bot_s", "name": "A"}
    assert own_file_document(bot, "staging", id_key="bot_id") == {
        "kind": "Voicebot",
        "name": "A",
        "environments": ["staging"],
        "overrides": {"staging": {"bot_id": "bot_s"}},
    }
    assistant = {"kind": "Assistant", "assistant_id": "asst_s"}
    assert own_file_document(assistant, "staging", id_key=None) == {
        **assistant,
        "environments": ["staging"],
    }


def test_a_problem_of_some_environments_says_in_which() -> None:
    everywhere = Problem("a.yaml", 3, 1, "unknown key 'nmae'")
    prod = Problem("a.yaml", 9, 20, "temperature 0.8 is above the maximum 0.5")
    two = Problem("b.yaml", 1, 1, "missing required key 'assistant_id'")
    found = {"prod": [everywhere, prod, two], "qa": [two, everywhere], "staging": [everywhere]}
    assert across_environments(found) == [
        everywhere,
        Problem(
            "a.yaml", 9, 20, "temperature 0.8 is above the maximum 0.5 (in environment 'prod')"
        ),
        Problem(
            "b.yaml", 1, 1, "missing required key 'assistant_id' (in environments 'prod', 'qa')"
        ),
    ]


def test_agents_take_instruction_fragments_too(tmp_path: Path) -> None:
    from botops.project.loader import load_resources

    (tmp_path / "tone.md").write_text("Be kind.\n\n")
    (tmp_path / "returns.md").write_text("Handle returns.\n")
    (tmp_path / "a.yaml").write_text(
        "kind: Assistant\nassistant_id: a\n"
        "agents:\n  - role: returns\n    instruction_file: [tone.md, returns.md]\n"
    )
    (assistant,) = load_resources([tmp_path / "a.yaml"], root=tmp_path)
    # One trailing newline of each file is dropped: the blank line tone.md ends with stays.
    assert assistant.desired["agents"] == [
        {"role": "returns", "instruction": "Be kind.\n\n\nHandle returns."}
    ]


def test_an_environments_keys_replace_the_top_level_ones(tmp_path: Path) -> None:
    from botops.model import Project
    from botops.project.settings import resolve_target, resource_paths

    project = Project(account_id="top", base_url="https://top.example", paths=(tmp_path / "bots",))
    prod = Environment("prod", account_id="acme", paths=(tmp_path / "prod",))
    target = resolve_target(project, base_url=None, account_id=None, environ={}, environment=prod)
    assert (target.base_url, target.account_id) == ("https://top.example", "acme")
    environ = {"BOTOPS_ACCOUNT_ID": "from-env"}
    target = resolve_target(
        project, base_url=None, account_id=None, environ=environ, environment=prod
    )
    assert target.account_id == "from-env"
    assert resource_paths(project, (), prod) == [tmp_path / "prod"]
    assert resource_paths(project, (), Environment("staging")) == [tmp_path / "bots"]
    assert resource_paths(project, (Path("x.yaml"),), prod) == [Path("x.yaml")]
