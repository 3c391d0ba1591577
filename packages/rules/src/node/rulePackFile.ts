/**
 * Reading a rule pack from a file (Node only): a rule-pack/1 JSON file of settings, applied by
 * the core; or an ES module (`.mjs`, `.js`) whose default export is a pack made in code —
 * how a pack with custom facts reaches the `rules` command and the service.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError, printable } from '../problems.js';
import { parseRulePackText, RulePack } from '../rulePack.js';
import { readText } from './readText.js';

/**
 * The rule pack a file gives: the default rules with a rule-pack/1 file's overrides, or a
 * module's default export. A module is code and runs with this process's rights: name only one you trust.
 * @example const pack = await loadRulePackFile('our-trust.rules.json');
 * @example const pack = await loadRulePackFile('our-trust.pack.mjs'); // export default defaultRulePack().extend({ … })
 * @throws InputError when the file cannot be read, names what does not exist, or is a module that gives no pack.
 */
export async function loadRulePackFile(path: string): Promise<RulePack> {
  if (/\.m?js$/i.test(path)) return loadRulePackModule(path);
  return parseRulePackText(await readText(path, 'rule pack'), path);
}

async function loadRulePackModule(path: string): Promise<RulePack> {
  let module: { readonly default?: unknown };
  try {
    module = (await import(pathToFileURL(resolve(path)).href)) as { readonly default?: unknown };
  } catch (error) {
    // A pack the module builds (extend, withoutRules) may itself be refused: those problems, as they are.
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(resolve(path));
    throw new InputError(`cannot load rule pack ${path}`, [
      missing
        ? { code: 'file.unreadable', file: path, message: 'no such file' }
        : { code: 'pack.module', file: path, message: `the module failed to load: ${printable(String((error as Error).message), 200)}` },
    ]);
  }
  if (!(module.default instanceof RulePack)) {
    throw new InputError(`${path} gives no rule pack`, [
      {
        code: 'pack.module',
        file: path,
        message: 'expected a module whose default export is a RulePack from this same @before-exclusion/rules, e.g. export default defaultRulePack().extend({ name, facts, rules })',
      },
    ]);
  }
  return module.default;
}
