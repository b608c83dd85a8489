#!/usr/bin/env bash
# The GitHub Action's step (action.yml): validate, plan, summary and comment; test (conversation
# tests under the plan in the same comment); or apply.
# Inputs arrive as BOTOPS_ACTION_* variables; results go to $GITHUB_OUTPUT and
# $GITHUB_STEP_SUMMARY. A plan with changes is success (exit 0, has-changes=true).
set -uo pipefail

command=${BOTOPS_ACTION_COMMAND:-plan}
plan_file=${BOTOPS_ACTION_PLAN_FILE:-botops-plan.json}
comment=${BOTOPS_ACTION_COMMENT:-true}
plan_from=${BOTOPS_ACTION_PLAN_FROM:-file}
reviewed_plan=${BOTOPS_ACTION_REVIEWED_PLAN:-}
read -r -a paths <<<"${BOTOPS_ACTION_PATHS:-}"
# allow-mass-change: for a plan made here (a saved plan carries its own allowance).
mass=()
case ${BOTOPS_ACTION_ALLOW_MASS_CHANGE:-false} in
true) mass=(--allow-mass-change) ;;
false) ;;
*)
    echo "::error title=botops::allow-mass-change must be true or false, got '${BOTOPS_ACTION_ALLOW_MASS_CHANGE}'"
    exit 1
    ;;
esac
if [ -n "${BOTOPS_ACTION_ENVIRONMENT:-}" ]; then
    export BOTOPS_ENV=$BOTOPS_ACTION_ENVIRONMENT
fi
tests_file=${BOTOPS_ACTION_TESTS_FILE:-botops-tests.json}
junit_file=${BOTOPS_ACTION_JUNIT_FILE:-botops-tests.xml}
case $plan_file in /*) ;; *) plan_file=$PWD/$plan_file ;; esac
case $tests_file in /*) ;; *) tests_file=$PWD/$tests_file ;; esac
case $junit_file in /*) ;; *) junit_file=$PWD/$junit_file ;; esac
markdown_file=${plan_file%.json}.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# GitHub refuses a step summary over 1 MiB; leave room for the lines around the plan.
summary_limit=$((1024 * 1024 - 4096))

output() {
    echo "$1=$2" >>"${GITHUB_OUTPUT:-/dev/null}"
}

summary() {
    # `summary TITLE FILE [fenced]`: FILE under TITLE, cut to fit GitHub's limit.
    local title=$1 file=$2 fence=${3:-}
    [ -n "${GITHUB_STEP_SUMMARY:-}" ] || return 0
    {
        [ -z "$title" ] || printf '%s\n\n' "$title"
        [ -z "$fence" ] || printf '```\n'
        head -c "$summary_limit" "$file"
        if [ "$(wc -c <"$file")" -gt "$summary_limit" ]; then
            printf '\n\n(cut to fit the step summary; the whole plan is in the log)\n'
        fi
        [ -z "$fence" ] || printf '\n```\n'
        printf '\n'
    } >>"$GITHUB_STEP_SUMMARY"
}

finish() {
    output exitcode "$1"
    exit "$2"
}

validate() {
    botops validate --format github "${paths[@]}"
}

has_changes_in() {
    # The text plan's last line: `Plan: N to create, N to update, N unchanged.`
    if grep -q '^Plan: 0 to create, 0 to update' "$1"; then echo false; else echo true; fi
}

case $command in
validate)
    validate
    code=$?
    output has-changes false
    finish "$code" "$code"
    ;;
plan)
    if ! validate; then
        output has-changes false
        finish 1 1
    fi
    botops plan "${paths[@]}" "${mass[@]}" --out "$plan_file" --format markdown \
        --detailed-exitcode >"$markdown_file"
    code=$?
    cat "$markdown_file"
    case $code in
    0) output has-changes false ;;
    2) output has-changes true ;;
    *)
        output has-changes false
        finish "$code" 1
        ;;
    esac
    output plan-file "$plan_file"
    output markdown-file "$markdown_file"
    summary "" "$markdown_file"
    event=${GITHUB_EVENT_NAME:-}
    if [ "$comment" = true ] && { [ "$event" = pull_request ] || [ "$event" = pull_request_target ]; }; then
        if ! botops comment "$plan_file" >"$work/comment"; then
            finish "$code" 1
        fi
        cat "$work/comment"
        url=$(sed -n 's/^comment \(created\|updated\): //p' "$work/comment")
        output comment-url "$url"
    fi
    finish "$code" 0
    ;;
test)
    # The conversation tests of the assistants the plan file changes (all of them without one),
    # reported as JSON (for the comment), JUnit (for test reporters) and Markdown (the summary);
    # on a pull request the results go under the plan in its one sticky comment. Failing tests
    # fail the step, after the comment says why.
    plan_args=()
    [ ! -f "$plan_file" ] || plan_args=(--plan "$plan_file")
    rm -f "$tests_file" "$junit_file"
    botops test "${paths[@]}" "${plan_args[@]}" --format markdown --json "$tests_file" \
        --junit "$junit_file" >"$work/tests.md"
    code=$?
    cat "$work/tests.md"
    if [ ! -f "$tests_file" ]; then
        # Bad test files, no endpoint: nothing ran, and the error is in the log.
        finish "$code" 1
    fi
    output tests-file "$tests_file"
    output junit-file "$junit_file"
    summary "" "$work/tests.md"
    event=${GITHUB_EVENT_NAME:-}
    if [ "$comment" = true ] && [ -f "$plan_file" ] &&
        { [ "$event" = pull_request ] || [ "$event" = pull_request_target ]; }; then
        if ! botops comment "$plan_file" --tests "$tests_file" >"$work/comment"; then
            finish "$code" 1
        fi
        cat "$work/comment"
        url=$(sed -n 's/^comment \(created\|updated\): //p' "$work/comment")
        output comment-url "$url"
    fi
    finish "$code" "$code"
    ;;
apply)
    # `pull-request`: the plan the reviewer saw (reviewed_plan.py found it, download-artifact
    # fetched it); a fresh plan only when the workflow opted in with allow-unreviewed.
    if [ "$plan_from" = pull-request ] && [ -n "$reviewed_plan" ]; then
        if [ ! -f "$reviewed_plan" ]; then
            echo "::error title=botops::the reviewed plan $reviewed_plan was not downloaded; nothing was applied"
            finish 1 1
        fi
        botops apply --plan "$reviewed_plan" --auto-approve >"$work/report"
    elif [ "$plan_from" = pull-request ]; then
        if [ "${BOTOPS_ACTION_ALLOW_UNREVIEWED:-false}" != true ]; then
            echo "::error title=botops::no reviewed plan to apply (plan-from: pull-request); nothing was applied"
            finish 1 1
        fi
        echo "::warning title=botops::applying a fresh plan that no one reviewed (allow-unreviewed: true)"
        botops apply "${paths[@]}" "${mass[@]}" --auto-approve >"$work/report"
    elif [ "$plan_from" != file ]; then
        echo "::error title=botops::plan-from must be file or pull-request, got '$plan_from'"
        finish 1 1
    elif [ -f "$plan_file" ]; then
        botops apply --plan "$plan_file" --auto-approve >"$work/report"
    else
        botops apply "${paths[@]}" "${mass[@]}" --auto-approve >"$work/report"
    fi
    code=$?
    cat "$work/report"
    output has-changes "$(has_changes_in "$work/report")"
    summary "### botops apply" "$work/report" fenced
    finish "$code" "$code"
    ;;
*)
    echo "::error title=botops::command must be plan, test, apply or validate, got '$command'"
    finish 1 1
    ;;
esac
