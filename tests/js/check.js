// Compile bilat's JSON Schemas with ajv 8 (default options: strict mode) and validate
// records with them. Run by tests/test_schema_portability.py:
//
//   node tests/js/check.js SCHEMA_DIR DOCUMENT.json SETUP
//
// SETUP is the JavaScript line README.md gives, run on each new ajv instance. DOCUMENT
// is a package as the bundle takes it ({"states": [...], ...}). Prints one JSON object:
// what compiled alone and together, and each record's verdict.
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020");

const [dir, documentPath, setup] = process.argv.slice(2);
const configure = new Function("ajv", setup);

function fresh() {
  const ajv = new Ajv2020();
  configure(ajv);
  return ajv;
}

const files = fs.readdirSync(dir).filter((f) => f.endsWith(".schema.json")).sort();
const schemas = Object.fromEntries(
  files.map((f) => [f, JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"))]),
);
const out = { ajv: require("ajv/package.json").version, alone: {}, together: null, records: {}, bundle: null };

for (const f of files) {
  try {
    fresh().compile(schemas[f]);
    out.alone[f] = "ok";
  } catch (e) {
    out.alone[f] = String(e.message);
  }
}

const all = fresh();
try {
  for (const f of files) all.addSchema(schemas[f]);
  for (const f of files) all.getSchema(schemas[f].$id) || all.compile(schemas[f]);
  out.together = "ok";
} catch (e) {
  out.together = String(e.message);
}

const documentData = JSON.parse(fs.readFileSync(documentPath, "utf8"));
const bundleId = schemas["bilat.schema.json"].$id;
if (out.together === "ok") {
  for (const [resource, records] of Object.entries(documentData.records)) {
    const validate = all.getSchema(documentData.ids[resource]);
    out.records[resource] = records.map((r) => (validate(r) ? null : validate.errors));
  }
  const bundle = all.getSchema(bundleId);
  out.bundle = bundle(documentData.records) ? null : bundle.errors;
}
process.stdout.write(JSON.stringify(out));
