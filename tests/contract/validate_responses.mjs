// Validates answers recorded from a real dwt-server (tests/contract/
// record_responses.cpp writes them, one JSON object per line) against
// docs/openapi.yaml with a real JSON Schema validator (Ajv, with the
// OpenAPI 3.0 `nullable` keyword and the standard formats).
//
//   node validate_responses.mjs <openapi.yaml> <responses.jsonl>
//
// For every recorded answer: the operation (method + path template) is
// documented, its status is documented, the Content-Type is one of the
// documented media types (or there is no body where none is documented),
// the body validates against that media type's schema with no undocumented
// members, and every
// documented header is present when required and valid when present. For
// every recorded webhook delivery: the documented headers and the body of
// its `x-webhooks` entry. Coverage: every documented operation has at
// least one recorded 2xx answer, every webhook type and every
// `x-dwt-unrouted` case at least one recording. Any failure names the
// route and status and exits 1.

import { readFileSync } from 'node:fs';
import process from 'node:process';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

const [docPath, recordPath] = process.argv.slice(2);
if (!docPath || !recordPath) {
  console.error('usage: node validate_responses.mjs <openapi.yaml> <responses.jsonl>');
  process.exit(2);
}

const doc = YAML.parse(readFileSync(docPath, 'utf8'));
const lines = readFileSync(recordPath, 'utf8').split('\n').filter((l) => l.trim() !== '');
if (lines.length === 0) {
  console.error(`${recordPath}: no recorded answers`);
  process.exit(1);
}

// --- schemas ----------------------------------------------------------------

const schemaPrefix = '#/components/schemas/';

/// A deep copy of `node` with every `#/components/schemas/X` reference
/// pointing at `#/$defs/X` (where the compiled root keeps the components).
function rewriteRefs(node) {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') {
      if (!v.startsWith(schemaPrefix)) throw new Error(`unsupported schema $ref ${v}`);
      out[k] = `#/$defs/${v.slice(schemaPrefix.length)}`;
    } else {
      out[k] = rewriteRefs(v);
    }
  }
  return out;
}

const failures = [];
const fail = (label, what) => failures.push(`${label}: ${what}`);

/// No undocumented members: every object schema that is not itself a
/// branch of an `allOf` gets `unevaluatedProperties: false` (which sees the
/// members its `allOf` branches define). A `$ref` used as a branch points at
/// the component's `__branch` copy, open at its top level only.
function closeObjects(node, isBranch = false) {
  if (Array.isArray(node)) return node.map((n) => closeObjects(n));
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'allOf' && Array.isArray(v)) out[k] = v.map((b) => closeObjects(b, true));
    else if (k === 'example' || k === 'enum') out[k] = v;
    else out[k] = closeObjects(v);
  }
  if (isBranch && typeof out.$ref === 'string') out.$ref = `${out.$ref}__branch`;
  const objectLike = out.properties !== undefined || out.allOf !== undefined;
  if (objectLike && !isBranch && out.additionalProperties === undefined && out.unevaluatedProperties === undefined) {
    out.unevaluatedProperties = false;
  }
  return out;
}

const openDefs = rewriteRefs(doc.components?.schemas ?? {});
const defs = {};
for (const [name, schema] of Object.entries(openDefs)) {
  defs[name] = closeObjects(schema);
  defs[`${name}__branch`] = closeObjects(schema, true);
}
// JSON Schema 2019-09 (for unevaluatedProperties), strict: unknown keywords
// and formats are errors; OpenAPI's `example` is the one annotation JSON
// Schema does not know. Ajv implements OpenAPI 3.0's `nullable`.
const ajv = new Ajv2019({ allErrors: true, strict: true, strictTypes: false, strictTuples: false });
addFormats(ajv);
ajv.addKeyword({ keyword: 'example' });
const compiled = new Map();

/// The validator of one schema of the document; `where` names it (cache
/// key). A schema that does not compile (e.g. `nullable` without `type`)
/// is a failure of `label`; then null.
function validatorFor(label, where, schema) {
  if (!compiled.has(where)) {
    try {
      compiled.set(where, ajv.compile({ $defs: defs, allOf: [closeObjects(rewriteRefs(schema))] }));
    } catch (e) {
      compiled.set(where, null);
      fail(label, `the schema at ${where} is not valid: ${e.message}`);
    }
  }
  return compiled.get(where);
}

function formatErrors(errors) {
  return (errors ?? [])
    .map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''}`)
    .join('; ');
}

/// Follows a local `$ref` (components/responses, headers, parameters).
function deref(node) {
  let cur = node;
  for (let i = 0; i < 10 && cur && typeof cur === 'object' && typeof cur.$ref === 'string'; ++i) {
    const parts = cur.$ref.replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    cur = parts.reduce((n, p) => (n === undefined ? undefined : n[p]), doc);
  }
  return cur;
}

// --- checks -----------------------------------------------------------------

/// A header value as its schema types it (headers are text on the wire).
function typedHeader(value, schema) {
  const s = deref(schema) ?? {};
  if ((s.type === 'integer' || s.type === 'number') && /^-?[0-9]+(\.[0-9]+)?$/.test(value)) return Number(value);
  if (s.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function checkHeaders(label, documented, actual, where) {
  for (const [name, h0] of Object.entries(documented ?? {})) {
    const h = deref(h0);
    const value = actual[name.toLowerCase()];
    if (value === undefined) {
      if (h?.required) fail(label, `required header ${name} is missing`);
      continue;
    }
    if (h?.schema) {
      const v = validatorFor(label, `${where}/headers/${name}`, h.schema);
      if (v && !v(typedHeader(value, h.schema))) fail(label, `header ${name}: '${value}' ${formatErrors(v.errors)}`);
    }
  }
}

function checkBody(label, content, contentType, body, where) {
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (!content || Object.keys(content).length === 0) {
    if (body !== '') fail(label, `documented without a body, but ${body.length} body bytes were sent`);
    return;
  }
  const entry = content[media];
  if (!entry) {
    fail(label, `Content-Type '${contentType}' is not documented (documented: ${Object.keys(content).join(', ')})`);
    return;
  }
  if (!entry.schema) return;
  let value = body;
  if (media === 'application/json' || media.endsWith('+json')) {
    try {
      value = JSON.parse(body);
    } catch (e) {
      fail(label, `body is not JSON: ${e.message}`);
      return;
    }
  }
  const v = validatorFor(label, `${where}/content/${media}`, entry.schema);
  if (v && !v(value)) fail(label, `body ${body.slice(0, 300)} breaks the schema: ${formatErrors(v.errors)}`);
}

function lookupResponse(responses, status) {
  const s = String(status);
  return responses?.[s] ?? responses?.[`${s[0]}XX`] ?? responses?.default;
}

const covered = new Set(); // "METHOD path" with a 2xx answer
const seen = new Set(); // "METHOD path" with any answer
const hooksSeen = new Set();
const unroutedSeen = new Set();

for (const [i, line] of lines.entries()) {
  let r;
  try {
    r = JSON.parse(line);
  } catch (e) {
    fail(`${recordPath}:${i + 1}`, `not JSON: ${e.message}`);
    continue;
  }
  const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  if (r.kind === 'webhook') {
    const label = `webhook ${r.type}`;
    hooksSeen.add(r.type);
    const op = doc['x-webhooks']?.[r.type]?.post;
    if (!op) {
      fail(label, 'not documented under x-webhooks');
      continue;
    }
    const params = (op.parameters ?? []).map(deref).filter((p) => p?.in === 'header');
    checkHeaders(label, Object.fromEntries(params.map((p) => [p.name, p])), headers, `x-webhooks/${r.type}`);
    checkBody(label, op.requestBody?.content, headers['content-type'], r.body ?? '', `x-webhooks/${r.type}/requestBody`);
    continue;
  }
  const label = `${r.method} ${r.path ?? r.target} -> ${r.status} (${r.note ?? r.target})`;
  let responses;
  let where;
  if (r.unrouted) {
    unroutedSeen.add(r.unrouted);
    responses = doc['x-dwt-unrouted']?.[r.unrouted]?.responses;
    where = `x-dwt-unrouted/${r.unrouted}`;
    if (!responses) {
      fail(label, `x-dwt-unrouted.${r.unrouted} is not documented`);
      continue;
    }
  } else {
    const op = doc.paths?.[r.path]?.[r.method.toLowerCase()];
    if (!op) {
      fail(label, 'operation not documented in paths');
      continue;
    }
    seen.add(`${r.method} ${r.path}`);
    if (r.status >= 200 && r.status < 300) covered.add(`${r.method} ${r.path}`);
    responses = op.responses;
    where = `paths/${r.path}/${r.method}`;
  }
  const resp = deref(lookupResponse(responses, r.status));
  if (!resp) {
    fail(label, `status ${r.status} is not documented (documented: ${Object.keys(responses).join(', ')}); body ${String(r.body).slice(0, 200)}`);
    continue;
  }
  checkHeaders(label, resp.headers, headers, `${where}/${r.status}`);
  // An answer to HEAD has no body to check (its headers are the GET's).
  if (r.method !== 'HEAD') checkBody(label, resp.content, headers['content-type'], r.body ?? '', `${where}/${r.status}`);
}

// --- coverage ---------------------------------------------------------------

for (const [path, item] of Object.entries(doc.paths ?? {})) {
  for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head', 'options']) {
    if (!item[method]) continue;
    const key = `${method.toUpperCase()} ${path}`;
    if (!seen.has(key)) fail(key, 'documented operation with no recorded answer');
    else if (!covered.has(key)) fail(key, 'documented operation with no recorded 2xx answer');
  }
}
for (const type of Object.keys(doc['x-webhooks'] ?? {})) {
  if (!hooksSeen.has(type)) fail(`webhook ${type}`, 'documented webhook with no recorded delivery');
}
for (const section of Object.keys(doc['x-dwt-unrouted'] ?? {})) {
  if (!unroutedSeen.has(section)) fail(`x-dwt-unrouted.${section}`, 'no recorded answer');
}

if (failures.length > 0) {
  console.error(`${failures.length} recorded answer(s) break ${docPath}:`);
  for (const f of failures) console.error(`  ${f}`);
  process.exit(1);
}
console.log(`${lines.length} recorded answers and deliveries conform to ${docPath}; every documented operation answered 2xx at least once`);
