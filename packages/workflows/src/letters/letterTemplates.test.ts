/**
 * The templates shipped with the package, as data a policy person reads: each letter has a version
 * for the 2024 edition of the guidance (exclusions starting up to 25 July 2026) and one for the 2026
 * edition (from 26 July 2026); locked paragraphs cite their source; a broken template is refused
 * with its file and field.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LETTER_KINDS, letterTemplates, loadLetterTemplates, templateFor } from './letterTemplates.js';

describe('letter templates', () => {
  it.each(LETTER_KINDS)('%s: the 2024 edition up to 25 July 2026, the 2026 edition from the 26th', (kind) => {
    expect(templateFor(kind, '2024-08-18')).toBeUndefined();
    expect(templateFor(kind, '2024-08-19')).toMatchObject({ version: 1, guidance: { edition: 'August 2024' } });
    expect(templateFor(kind, '2026-07-25')).toMatchObject({ version: 1 });
    expect(templateFor(kind, '2026-07-26')).toMatchObject({ version: 2, guidance: { effectiveFrom: '2026-07-26' } });
    expect(templateFor(kind, '2030-01-01')?.version).toBe(2);
  });

  it('cites a source for every locked paragraph and says what could not be verified', () => {
    for (const t of letterTemplates()) {
      expect(t.unverified.length, `${t.id} v${t.version}`).toBeGreaterThan(0);
      for (const p of t.paragraphs.filter((x) => x.kind === 'locked')) expect(t.sources.map((s) => s.id), `${t.id} ${p.id}`).toContain(p.source);
    }
  });

  it('refuses a template naming an unknown placeholder or a locked paragraph without a source, saying where', () => {
    const dir = mkdtempSync(join(tmpdir(), 'letters-'));
    const template = { ...templateFor('cancellation', '2025-01-01')!, format: 'letter-template/1' };
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ ...template, paragraphs: [{ id: 'x', kind: 'locked', text: 'Back on {returnDay}.' }] }));
    expect(() => loadLetterTemplates(pathToFileURL(`${dir}/`))).toThrow(/broken\.json, paragraphs\.0\.source: a locked paragraph names the source of its wording[\s\S]*broken\.json, paragraphs\.0\.text: unknown placeholder \{returnDay\}/);
  });
});
