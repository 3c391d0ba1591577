/**
 * A trust's JSON files — PEAP questions, letter overrides — refuse a key given twice (where the
 * last would win silently), naming the line, and quote a broken file's error in printable words.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLetterOverrides } from './letters/letterOverrides.js';
import { LetterRefused } from './letters/letterRefused.js';
import { loadQuestionSet, QuestionSetError } from './cases/peapQuestions.js';

const dir = mkdtempSync(join(tmpdir(), 'json-files-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('a trust\'s JSON files', () => {
  it('refuses letter overrides with a key twice, naming the line', () => {
    const path = file('overrides.json', '{\n  "format": "letter-overrides/1",\n  "name": "Trust",\n  "name": "Other"\n}');
    expect(() => loadLetterOverrides(path)).toThrow(new LetterRefused(`${path} line 4: the key "name" appears twice in one object; give each once`));
  });

  it('refuses a question file with a key twice, naming the line', () => {
    const path = file('questions.json', '[\n  { "id": "q1", "kind": "text", "text": "A?", "text": "B?" }\n]');
    expect(() => loadQuestionSet(path)).toThrow(QuestionSetError);
    expect(() => loadQuestionSet(path)).toThrow(/line 2: the key "text" appears twice in one object; give each once/);
  });

  it('says a broken file\'s JSON error without its control characters', () => {
    const path = file('broken.json', '{"a":\u001b[2J}');
    expect(() => loadQuestionSet(path)).toThrow(/cannot read it as JSON: /);
    expect(() => loadQuestionSet(path)).not.toThrow(/\u001b/);
  });
});
