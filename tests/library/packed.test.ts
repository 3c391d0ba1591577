/**
 * The rules package as someone outside this repository gets it: packed with `pnpm pack`
 * (prepack builds), installed with npm into a fresh project, and the README's example compiled
 * with TypeScript's strict defaults (`module: nodenext`) and run. What the tarball holds is
 * checked too: the licence and changelog, no maps pointing at unshipped sources, no benchmarks.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const rulesDir = join(root, 'packages/rules');
const dir = mkdtempSync(join(tmpdir(), 'rules-packed-'));
const consumer = join(dir, 'consumer');
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** The examples in a README: each ```ts block after the marker comment, in order. */
function examplesIn(readmePath: string, expected: number): string[] {
  const readme = readFileSync(readmePath, 'utf8');
  const found = [...readme.matchAll(/<!-- example: compiled and run by tests\/library\/packed\.test\.ts -->\n```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  if (found.length !== expected) throw new Error(`${readmePath} should have ${expected} examples under the marker comment; found ${found.length}`);
  return found;
}

let tarball: string;
let files: string[];

beforeAll(() => {
  // prepack runs tsc -b; on a shared machine, builds take the same lock as everyone else's.
  const pack = ['pnpm', 'pack', '--pack-destination', dir];
  if (existsSync('/usr/bin/flock')) run('/usr/bin/flock', ['/tmp/build.lock', ...pack], rulesDir);
  else run(pack[0]!, pack.slice(1), rulesDir);
  tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!);
  files = run('tar', ['tzf', tarball], dir).split('\n').filter(Boolean);

  run('mkdir', ['-p', consumer], dir);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // TypeScript's strict defaults and nothing else: what a new project starts from.
  // The package README's two (using, extending), then the repository README's.
  const examples = [...examplesIn(join(rulesDir, 'README.md'), 2), ...examplesIn(join(root, 'README.md'), 1)].map((text, i) => ({ name: `example${i + 1}.ts`, text }));
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', outDir: 'out' }, files: examples.map((e) => e.name) }));
  for (const e of examples) writeFileSync(join(consumer, e.name), e.text);
  for (const name of ['term-dates.ics', 'our-term-dates.ics']) copyFileSync(join(rulesDir, 'data/calendars/england-2025-26.example.ics'), join(consumer, name));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], consumer);
}, 240_000);

describe('the packed rules package', () => {
  it('ships its licence, changelog, both entries and the rule files — and no maps or benchmarks', () => {
    expect(files).toEqual(expect.arrayContaining(['package/LICENSE', 'package/CHANGELOG.md', 'package/dist/index.js', 'package/dist/node.js', 'package/rules/peap.required.json']));
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('package/dist/bench/'))).toEqual([]);
    const licence = readFileSync(join(consumer, 'node_modules/@before-exclusion/rules/LICENSE'), 'utf8');
    expect(licence).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the before-exclusion contributors/);
  });

  it("compiles the README's examples with strict settings and runs the first: triggers, the proposal, the version", () => {
    const compiled = spawnSync(process.execPath, [tsc, '-p', consumer], { encoding: 'utf8' });
    expect(compiled.stdout + compiled.stderr).toBe('');
    expect(compiled.status).toBe(0);

    const out = run(process.execPath, ['out/example1.js'], consumer).trimEnd().split('\n');
    const triggers = out.filter((line) => /^[a-z-]+\.[a-z0-9.-]+ /.test(line)).map((line) => line.split(' ')[0]);
    expect(triggers).toEqual([
      'peap.required',
      'statutory.notify-local-authority',
      'statutory.notify-parents',
      'statutory.notify-local-authority',
      'statutory.notify-parents',
    ]);
    expect(out.find((l) => l.startsWith('peap.required'))).toMatch(/2 suspensions started in the first half of the autumn term \(2 Oct, 14 Oct\)/);
    expect(out).toContain('Back in school: Thursday 13 Nov 2025.');
    const { version } = JSON.parse(readFileSync(join(rulesDir, 'package.json'), 'utf8')) as { version: string };
    expect(out.at(-1)).toBe(`@before-exclusion/rules ${version}`);
  });

  it("runs the README's extension example: the custom fact described, the custom rule fired, a statutory rule kept", () => {
    const out = run(process.execPath, ['out/example2.js'], consumer);
    expect(out).toContain('- suspensions, not cancelled, that started in the term of the evaluation date is at least 3  [repeated]');
    expect(out).toContain('trust.term-review: 3 suspensions started this term; the trust reviews at 3');
    expect(out).toMatch(/^pack\.statutory-rule — rule pack, without\[0\]: "statutory\.notify-parents" is statutory \(.+\): it cannot be removed$/m);
  });

  it("runs the repository README's example: a suspension past 5 days in a term, and a proposal", () => {
    const out = run(process.execPath, ['out/example3.js'], consumer);
    expect(out).toMatch(/^statutory\.governors-review-on-request \d{4}-\d{2}-\d{2} /m);
    expect(out).toContain('Proposed suspension for pupil P042: 3 school days');
  });
});
