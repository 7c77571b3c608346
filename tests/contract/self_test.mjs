// The contract checkers can fail (ctest dwt_contract_self_test): the
// validator rejects each defect of bad_answers.jsonl, naming it, and the
// linter rejects a document with the `nullable` + `allOf` defect that
// strict validators refuse.
//
//   node self_test.mjs <openapi.yaml> <bad_answers.jsonl> <redocly.yaml>

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';

const [docPath, badPath, lintConfig] = process.argv.slice(2);
const problems = [];

const v = spawnSync(process.execPath, ['validate_responses.mjs', docPath, badPath], { encoding: 'utf8' });
if (v.status !== 1) problems.push(`validator exit status ${v.status}, expected 1:\n${v.stdout}${v.stderr}`);
const expected = [
  '/data/0/fromState must be equal to one of the allowed values',
  'GET /v1/cards/{cardId} -> 418 (undocumented status): status 418 is not documented',
  'GET /healthz -> 200 (no X-Request-Id): required header X-Request-Id is missing',
  "GET /readyz -> 200 (undocumented media type): Content-Type 'text/html' is not documented",
  'GET /v1/events -> 409 (status not documented on this route): status 409 is not documented',
  'POST /v1/profiles -> 400 (code not in the enum): body',
  'GET /v1/nowhere -> 200 (operation not documented): operation not documented in paths',
  "webhook DigitalWalletTokenTransition: required header webhook-signature is missing",
  "webhook DigitalWalletTokenTransition: header webhook-timestamp: 'soon'",
  'webhook DigitalWalletTokenTransition: body',
  'POST /v1/cards: documented operation with no recorded answer',
  'GET /healthz -> 200 (undocumented member): body',
  'GET /v1/cards/{cardId} -> 404 (undocumented problem member): body',
];
for (const e of expected) {
  if (!v.stderr.includes(e)) problems.push(`the validator did not report: ${e}`);
}

const dir = mkdtempSync(join(tmpdir(), 'dwt-contract-'));
try {
  const broken = join(dir, 'broken.yaml');
  writeFileSync(broken, `openapi: 3.0.3
info: {title: broken, version: '1', description: x}
servers: [{url: 'http://127.0.0.1:8080'}]
tags: [{name: t, description: x}]
security: []
paths:
  /x:
    get:
      operationId: x
      tags: [t]
      summary: x
      description: x
      responses:
        '200':
          description: x
          headers:
            X-Request-Id: {schema: {type: string}}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
        '400':
          description: x
          headers:
            X-Request-Id: {schema: {type: string}}
          content:
            application/problem+json:
              schema: {type: object, properties: {type: {type: string}, title: {type: string}}}
components:
  schemas:
    State: {type: string, enum: [A, B]}
    Thing:
      type: object
      properties:
        from:
          allOf: [{$ref: '#/components/schemas/State'}]
          nullable: true
`);
  const l = spawnSync(process.execPath, ['node_modules/@redocly/cli/bin/cli.js', 'lint', '--format=stylish',
    '--config', lintConfig, broken], { encoding: 'utf8' });
  const out = `${l.stdout}${l.stderr}`;
  if (l.status === 0) problems.push(`the linter accepted a broken document:\n${out}`);
  if (!out.includes('nullable-type-sibling')) problems.push(`the linter did not report nullable-type-sibling:\n${out}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(`the validator reported all ${expected.length} planted defects; the linter rejected nullable with allOf`);
