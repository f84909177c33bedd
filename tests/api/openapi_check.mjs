// Checks the OpenAPI document the server serves:
//   node tests/api/openapi_check.mjs DOCUMENT.json SOURCE_DIR
// 1. it validates against the OpenAPI 3 schema (@seriousme/openapi-schema-validator,
//    pinned in tests/e2e/package.json) and every $ref resolves;
// 2. every route the server registers (s.Get/Post/Put/Patch/Delete in
//    server/http/*.cpp, catch-alls aside) is documented with its method, and every
//    documented operation is a registered route.
// Exit status 0 when all holds; otherwise each fault is printed.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [docFile, sourceDir] = process.argv.slice(2);
if (!docFile || !sourceDir) {
  console.error("usage: node openapi_check.mjs DOCUMENT.json SOURCE_DIR");
  process.exit(2);
}

const validatorEntry = join(sourceDir, "tests/e2e/node_modules/@seriousme/openapi-schema-validator/index.js");
let Validator;
try {
  ({ Validator } = await import(pathToFileURL(validatorEntry).href));
} catch (e) {
  console.error(`cannot load the validator (${validatorEntry}): run scripts/setup.sh\n${e.message}`);
  process.exit(2);
}

const faults = [];
const doc = JSON.parse(readFileSync(docFile, "utf8"));

// 1. The schema.
const validator = new Validator();
const result = await validator.validate(doc);
if (!result.valid) faults.push("not a valid OpenAPI document: " + JSON.stringify(result.errors, null, 1));
if (!/^3\./.test(String(doc.openapi))) faults.push(`openapi is ${doc.openapi}, not 3.x`);
try {
  validator.resolveRefs();
} catch (e) {
  faults.push("a $ref does not resolve: " + e.message);
}

// 2. Routes. A registration's path is a cpp-httplib pattern: literal, or a raw-string
// regex whose groups ([^/]+) are parameters and \.(json|xml) the Open311 format.
const registered = new Set();
const httpDir = join(sourceDir, "server/http");
const call = /\bs\.(Get|Post|Put|Patch|Delete)\(\s*(?:R"\((.*?)\)"|"((?:[^"\\]|\\.)*)")/gs;
for (const file of readdirSync(httpDir).filter((f) => f.endsWith(".cpp"))) {
  const text = readFileSync(join(httpDir, file), "utf8");
  for (const m of text.matchAll(call)) {
    const pattern = m[2] ?? m[3];
    if (pattern.includes(".*")) continue; // catch-alls: unknown paths get an error
    const template = pattern
      .replace(/\\\.\(json\|xml\)/g, ".{}")
      .replace(/\(\[\^\/\]\+\)/g, "{}")
      .replace(/\\\./g, ".");
    if (/[()[\]\\*+?|^$]/.test(template)) {
      faults.push(`${file}: cannot read the route pattern ${pattern}`);
      continue;
    }
    registered.add(`${m[1].toLowerCase()} ${template}`);
  }
}
if (registered.size < 10) faults.push(`only ${registered.size} routes found under ${httpDir}`);

const documented = new Set();
for (const [path, item] of Object.entries(doc.paths ?? {})) {
  const template = path.replace(/\{[^}]+\}/g, "{}");
  for (const method of ["get", "post", "put", "patch", "delete"])
    if (item[method]) documented.add(`${method} ${template}`);
}
for (const r of registered) if (!documented.has(r)) faults.push(`registered but not documented: ${r}`);
for (const d of documented) if (!registered.has(d)) faults.push(`documented but not registered: ${d}`);

if (faults.length) {
  for (const f of faults) console.error(f);
  process.exit(1);
}
console.log(`OpenAPI ${doc.openapi} valid; ${registered.size} routes, all documented`);
