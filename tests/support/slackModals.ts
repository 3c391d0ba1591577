/**
 * A person using Slack's modals and buttons, as Slack reports it to the app: a button pressed in a
 * message (a DM, a slash command's ephemeral answer) or inside an open modal (`block_actions`
 * with the view, so the app updates that modal), and a modal's inputs as Slack puts them in
 * `view.state.values` on submit — every input block by its block id, what the person entered
 * where they entered something, the modal's initial value where they left it, null where it is
 * empty. Everything is taken from the blocks the app drew: a button is pressed by its words, a
 * choice made by its value only if the modal offers it.
 */
import { DEMO_HEAD, DEMO_TEAM } from './slackRequests.js';

type Block = Record<string, any>;

/** The first button whose words are `title` (exactly, or matching), with the block holding it. */
export function findButton(blocks: readonly Block[], title: string | RegExp): { button: Block; blockId: string } | undefined {
  const matches = (text: string) => (typeof title === 'string' ? text === title : title.test(text));
  for (const block of blocks) {
    const elements: Block[] = block.type === 'actions' ? block.elements : block.accessory ? [block.accessory] : [];
    const button = elements.find((e) => e.type === 'button' && matches(e.text?.text ?? ''));
    if (button) return { button, blockId: block.block_id ?? 'b1' };
  }
  return undefined;
}

/** The button's words on every button in the blocks, in order. */
export function buttonTitles(blocks: readonly Block[]): string[] {
  return blocks.flatMap((b) => (b.type === 'actions' ? b.elements : b.accessory ? [b.accessory] : []).filter((e: Block) => e.type === 'button').map((e: Block) => String(e.text?.text)));
}

/** The data a button carries (its value, JSON). */
export function buttonData(blocks: readonly Block[], title: string | RegExp): Record<string, unknown> {
  const found = findButton(blocks, title);
  if (!found) throw new Error(`no button "${String(title)}" among: ${buttonTitles(blocks).join(' | ')}`);
  return JSON.parse(found.button.value) as Record<string, unknown>;
}

/** Where a button was pressed: a message in a channel (a DM), or an open modal. */
export type PressedIn = { readonly message: { readonly channel: string; readonly ts?: string; readonly ephemeral?: boolean } } | { readonly modal: { readonly view: Block; readonly id?: string; readonly hash?: string } };

/** The `block_actions` payload Slack sends when a person presses the button titled `title` in `blocks`. */
export function buttonPress(blocks: readonly Block[], title: string | RegExp, where: PressedIn, user = DEMO_HEAD, team = DEMO_TEAM): Record<string, unknown> {
  const found = findButton(blocks, title);
  if (!found) throw new Error(`no button "${String(title)}" among: ${buttonTitles(blocks).join(' | ')}`);
  const { button, blockId } = found;
  const ts = `${(Date.now() / 1000).toFixed(6)}`;
  const base = {
    type: 'block_actions',
    team: { id: team, domain: 'demo' },
    user: { id: user, username: 'demo.head', name: 'demo.head', team_id: team },
    api_app_id: 'A0DEMO',
    token: 'legacy',
    trigger_id: `trigger-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
    actions: [{ type: 'button', action_id: button.action_id, block_id: blockId, text: button.text, value: button.value, action_ts: ts }],
  };
  if ('message' in where) {
    const m = where.message;
    return {
      ...base,
      container: { type: 'message', message_ts: m.ts ?? ts, channel_id: m.channel, is_ephemeral: m.ephemeral ?? false },
      channel: { id: m.channel, name: 'directmessage' },
      ...(m.ephemeral ? {} : { message: { type: 'message', ts: m.ts ?? ts, blocks } }),
      response_url: 'https://hooks.slack.invalid/actions/1',
    };
  }
  const { view, id = 'V-fake', hash = 'h1' } = where.modal;
  return {
    ...base,
    container: { type: 'view', view_id: id },
    view: { id, hash, type: 'modal', callback_id: view.callback_id, private_metadata: view.private_metadata, blocks: view.blocks, state: { values: {} } },
  };
}

/** What a person entered in a modal's input, by block id: a value, a date, a choice's value; null to leave (or make) it empty. */
export type Entered = Readonly<Record<string, string | null>>;

/**
 * `view.state.values` as Slack sends it when the modal is submitted: each input block's element
 * with what was entered, or its initial value where nothing was. A choice the modal does not offer,
 * or an entry for a block it does not have, is a mistake in the test and throws.
 */
export function modalState(view: Block, entered: Entered = {}): Record<string, Record<string, unknown>> {
  const inputs: Block[] = view.blocks.filter((b: Block) => b.type === 'input');
  for (const id of Object.keys(entered)) if (!inputs.some((b) => b.block_id === id)) throw new Error(`the modal has no input "${id}"; it has ${inputs.map((b) => b.block_id).join(', ')}`);
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of inputs) {
    const e = block.element;
    const typed = Object.hasOwn(entered, block.block_id) ? entered[block.block_id] : undefined;
    const given = Object.hasOwn(entered, block.block_id);
    let state: Record<string, unknown>;
    switch (e.type) {
      case 'datepicker':
        state = { type: e.type, selected_date: given ? typed : (e.initial_date ?? null) };
        break;
      case 'radio_buttons':
      case 'static_select': {
        let option = e.initial_option ?? null;
        if (given) {
          option = typed === null ? null : e.options.find((o: Block) => o.value === typed);
          if (option === undefined) throw new Error(`the modal's "${block.block_id}" does not offer "${typed}": ${e.options.map((o: Block) => o.value).join(', ')}`);
        }
        state = { type: e.type, selected_option: option };
        break;
      }
      case 'number_input':
      case 'plain_text_input':
        state = { type: e.type, value: given ? typed : (e.initial_value ?? null) };
        break;
      default:
        throw new Error(`modalState: no support for ${e.type} inputs`);
    }
    values[block.block_id] = { [e.action_id]: state };
  }
  return values;
}

/** An input block of the modal, by its block id. */
export function inputBlock(view: Block, blockId: string): Block {
  const block = view.blocks.find((b: Block) => b.type === 'input' && b.block_id === blockId);
  if (!block) throw new Error(`the modal has no input "${blockId}"`);
  return block;
}
