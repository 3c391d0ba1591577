/** Reading a rule-pack file (Node only): the file's text, applied by the core. */
import { parseRulePackText, type RulePack } from '../rulePack.js';
import { readText } from './readText.js';

/**
 * The default rules with a rule-pack file's overrides applied.
 * @example const pack = await loadRulePackFile('our-trust.rules.json');
 * @throws InputError when the file cannot be read or names what does not exist.
 */
export async function loadRulePackFile(path: string): Promise<RulePack> {
  return parseRulePackText(await readText(path, 'rule pack'), path);
}
