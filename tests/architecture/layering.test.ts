/**
 * The layering the codebase keeps, checked on the source files themselves: the database drivers
 * live only in the case store's folder, the bot never reaches a database handle, every SDK stays
 * in its own folder, and the arrows point one way — bot → workflows → rules.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../support/serviceProcess.js';

/** Every TypeScript or JavaScript source under `dir`, skipping dependencies and build output. */
function sources(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...sources(path));
    else if (/\.(ts|mts|js|mjs)$/.test(name)) found.push(path);
  }
  return found;
}

const ALL = [...sources(join(root, 'packages')), ...sources(join(root, 'tests')), ...sources(join(root, 'scripts'))].map((p) => relative(root, p));
const text = new Map(ALL.map((p) => [p, readFileSync(join(root, p), 'utf8')]));

/** The files that import `module` (static or dynamic import, or require). */
function importers(module: string): string[] {
  const pattern = new RegExp(`(from\\s+|import\\(\\s*|require\\(\\s*)['"]${module.replace(/[/.]/g, '\\$&')}(/[^'"]*)?['"]`);
  return ALL.filter((p) => pattern.test(text.get(p)!));
}

describe('layering', () => {
  it('finds the sources it checks', () => {
    expect(ALL).toContain('packages/workflows/src/store/sqlite.ts');
    expect(ALL).toContain('packages/bot/src/conversation/assistant.ts');
    expect(importers('better-sqlite3')).toContain('packages/workflows/src/store/sqlite.ts');
  });

  it('keeps the database drivers inside packages/workflows/src/store (the tamper tests play their attacker from there too)', () => {
    for (const driver of ['better-sqlite3', 'pg']) {
      const outside = importers(driver).filter((p) => !p.startsWith('packages/workflows/src/store/'));
      expect(outside, `${driver} imported outside the store`).toEqual([]);
    }
  });

  it('gives the bot no database handle: no SQL, no driver, no store internals', () => {
    const bot = ALL.filter((p) => p.startsWith('packages/bot/src/'));
    const offending = bot.filter((p) => /\bstore\.db\b|\.prepare\(|\bSELECT\s|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|workflows\/src\/store|workflows\/dist\/store/.test(text.get(p)!));
    expect(offending).toEqual([]);
  });

  it('keeps each SDK in its folder (in what ships: the benchmark baseline in packages/bot/bench uses teams-ai bare)', () => {
    const outside = (module: string, folder: string) => importers(module).filter((p) => /^packages\/[^/]+\/src\//.test(p) && !p.startsWith(folder));
    expect(outside('botbuilder', 'packages/bot/src/teams/')).toEqual([]);
    expect(outside('@microsoft/teams-ai', 'packages/bot/src/teams/')).toEqual([]);
    expect(outside('@slack/bolt', 'packages/bot/src/slack/')).toEqual([]);
    expect(outside('openid-client', 'packages/bot/src/web/oidcSignIn')).toEqual([]);
  });

  it('keeps the letter libraries in packages/workflows/src/letters: docx and pdfkit write letters, mammoth and unpdf read them back in its tests', () => {
    for (const library of ['docx', 'pdfkit', 'mammoth', 'unpdf']) {
      const outside = importers(library).filter((p) => /^packages\/[^/]+\/src\//.test(p) && !p.startsWith('packages/workflows/src/letters/'));
      expect(outside, `${library} imported outside the letters`).toEqual([]);
    }
    expect(importers('docx')).toEqual(['packages/workflows/src/letters/docxLetter.ts']);
    expect(importers('pdfkit')).toEqual(['packages/workflows/src/letters/pdfLetter.ts']);
  });

  it('points the arrows one way: rules imports neither workflows nor bot; workflows does not import bot', () => {
    expect(ALL.filter((p) => p.startsWith('packages/rules/') && /@before-exclusion\/(workflows|bot)/.test(text.get(p)!))).toEqual([]);
    expect(ALL.filter((p) => p.startsWith('packages/workflows/') && /@before-exclusion\/bot/.test(text.get(p)!))).toEqual([]);
  });
});
