// The schemas compile in Ajv's strict mode (JSON Schema 2020-12), with only the editor keywords
// yaml-language-server reads declared. Usage: node scripts/ajv-strict.mjs SCHEMA...
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(new URL("../.tools/node_modules/", import.meta.url));
const Ajv2020 = require("ajv/dist/2020").default;

// allowUnionTypes: botops.yaml takes an account id given as a number (`type: [string, integer]`).
const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
for (const keyword of ["markdownDescription", "patternErrorMessage", "errorMessage"]) {
  ajv.addKeyword({ keyword, schemaType: "string" });
}
const schemas = process.argv.slice(2).map((file) => [file, JSON.parse(readFileSync(file, "utf8"))]);
let failed = 0;
// Every schema first, so that one may $ref another by its $id.
for (const [file, schema] of schemas) {
  try {
    ajv.addSchema(schema);
  } catch (error) {
    console.log(`${file}: ${error.message}`);
    failed++;
  }
}
for (const [file, schema] of schemas) {
  try {
    ajv.getSchema(schema.$id) ?? ajv.compile(schema);
    if (!ajv.validateSchema(schema)) {
      console.log(`${file}: not a valid 2020-12 schema: ${ajv.errorsText(ajv.errors)}`);
      failed++;
    }
  } catch (error) {
    console.log(`${file}: ${error.message}`);
    failed++;
  }
}
if (!failed) console.log(`${schemas.length} schemas compile in Ajv strict mode`);
process.exit(failed ? 1 : 0);
