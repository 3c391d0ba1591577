/**
 * A pupils file saved by a Windows tool starts with a byte-order mark: `rules evaluate` reads it
 * as the same file without one — from a file and piped in — rather than refusing it as not JSON.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'packages/rules/dist/cli.js');
const calendar = join(root, 'packages/rules/data/calendars/england-2025-26.example.json');
const demo = readFileSync(join(root, 'packages/rules/data/demo/pupils.ndjson'), 'utf8');

const rules = (pupils: string, input?: string) => {
  const run = spawnSync(process.execPath, [bin, 'evaluate', '--calendar', calendar, '--pupils', pupils, '--as-of', '2026-03-20', '--format', 'ndjson'], { encoding: 'utf8', input });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
};

it.each([
  ['NDJSON', demo],
  ['a JSON array', `[${demo.trim().split('\n').join(',\n')}]`],
])('reads %s with a byte-order mark, from a file and from a pipe, as without one', (_kind, text) => {
  const dir = mkdtempSync(join(tmpdir(), 'rules-bom-'));
  writeFileSync(join(dir, 'plain.json'), text);
  writeFileSync(join(dir, 'bom.json'), `\uFEFF${text}`);
  const plain = rules(join(dir, 'plain.json'));
  expect(plain.code).toBe(0);
  expect(plain.stdout.split('\n').length).toBeGreaterThan(10);
  expect(rules(join(dir, 'bom.json'))).toEqual(plain);
  expect(rules('-', `\uFEFF${text}`)).toEqual(plain);
});
