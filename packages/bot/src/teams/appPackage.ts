/**
 * The Teams app package: the manifest (app manifest schema v1.30, the newest Microsoft publishes
 * in its `@microsoft/app-manifest` package, which the tests validate against), the two icons and
 * the ZIP that holds them — the file an administrator uploads to Teams to install the bot and, given the web
 * workspace's address, the workspace as a personal tab with single sign-on. Settings a person
 * gets wrong (an app id that is not a GUID, an http URL) are refused here, naming the
 * setting, rather than later by Teams with a generic "manifest invalid".
 */
import { POLICY_PAGES } from '../service/policyPages.js';
import { TEAMS_TAB_PATH } from '../web/teamsSignIn.js';
import { encodePng, type RgbaImage } from './png.js';
import { zipFiles } from './zip.js';

/** What differs between installations of the Teams app; the rest of the manifest is fixed. */
export interface AppPackageOptions {
  /** The Teams app id: the bot's Microsoft App ID (a GUID) from its Azure Bot registration. */
  appId: string;
  /** The bot's Microsoft App ID; defaults to `appId`, as one registration serves both. */
  botId?: string;
  /** The package version, MAJOR.MINOR.PATCH; Teams only takes an update with a higher one. */
  version: string;
  /** Shown as the app's publisher; at most 32 characters. */
  developerName: string;
  websiteUrl: string;
  privacyUrl: string;
  termsUrl: string;
  /** Host names the app may open or embed (e.g. the bot's public host); defaults to none. */
  validDomains?: string[];
  /**
   * The web workspace's public base URL (https://host/workspace, as WORKSPACE_URL): adds it as a
   * personal tab, with single sign-on for the Application ID URI `api://HOST/APP_ID`, and its
   * host to validDomains. None: no tab.
   */
  workspaceUrl?: string;
}

/** The project's public repository: the app's website by default, and where its policies are read without a service. */
export const REPOSITORY = 'https://github.com/before-exclusion/before-exclusion';

/**
 * Where the manifest's privacy notice and terms of use are: the service's own `/privacy` and
 * `/terms` under its public URL, rendered from docs/privacy.md and docs/terms.md; without a
 * public URL, those files in the repository.
 *
 * @example policyUrls('https://bot.example.org') // { privacyUrl: 'https://bot.example.org/privacy', termsUrl: 'https://bot.example.org/terms' }
 * @param publicUrl the service's public base URL (PUBLIC_URL), if known
 */
export function policyUrls(publicUrl: string | undefined): { privacyUrl: string; termsUrl: string } {
  const base = publicUrl?.replace(/\/+$/, '');
  const [privacy, terms] = POLICY_PAGES.map((page) => (base === undefined ? `${REPOSITORY}/blob/main/${page.file}` : `${base}${page.path}`));
  return { privacyUrl: privacy!, termsUrl: terms! };
}

/** A bot command as Teams suggests it in the compose box. */
export interface TeamsBotCommand {
  title: string;
  description: string;
}

/** The app manifest schema version the package is written for, and the schema's published address. */
export const MANIFEST_VERSION = '1.30';
export const MANIFEST_SCHEMA_URL = `https://developer.microsoft.com/en-us/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`;

/** The parts of the v1.30 app manifest this app uses. */
export interface TeamsManifest {
  $schema: string;
  manifestVersion: typeof MANIFEST_VERSION;
  version: string;
  id: string;
  developer: { name: string; websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
  name: { short: string; full: string };
  description: { short: string; full: string };
  icons: { color: string; outline: string };
  accentColor: string;
  bots: {
    botId: string;
    scopes: ('personal' | 'team')[];
    supportsFiles: boolean;
    isNotificationOnly: boolean;
    commandLists: { scopes: ('personal' | 'team')[]; commands: TeamsBotCommand[] }[];
  }[];
  staticTabs?: { entityId: string; name: string; contentUrl: string; websiteUrl: string; scopes: 'personal'[] }[];
  permissions: ('identity' | 'messageTeamMembers')[];
  validDomains: string[];
  /** The Entra ID app whose API the tab's single sign-on token is for. */
  webApplicationInfo?: { id: string; resource: string };
}

/** The setting behind each option, so an error says what to change where people change it. */
const SETTING = {
  appId: 'TEAMS_APP_ID (or MicrosoftAppId)',
  botId: 'botId',
  version: 'TEAMS_APP_VERSION',
  developerName: 'TEAMS_DEVELOPER_NAME',
  websiteUrl: 'TEAMS_WEBSITE_URL',
  privacyUrl: 'TEAMS_PRIVACY_URL',
  termsUrl: 'TEAMS_TERMS_URL',
  validDomains: 'validDomains (from PUBLIC_URL)',
  workspaceUrl: 'WORKSPACE_URL',
} as const satisfies Record<keyof AppPackageOptions, string>;

/** A setting the manifest cannot be built from; the message names it and what is accepted. */
export class AppPackageSettingError extends Error {
  constructor(
    readonly setting: keyof AppPackageOptions,
    message: string,
  ) {
    super(message);
    this.name = 'AppPackageSettingError';
  }
}

const ACCENT = '#1F6E5C';

// Kept in step with what the conversation core answers to; Teams shows these as suggestions.
const COMMANDS: TeamsBotCommand[] = [
  { title: 'help', description: 'What I can do' },
  { title: 'my cases', description: 'Your open cases, overdue duties first' },
  { title: 'start peap', description: 'Start a pre-exclusion assessment: start peap PUPIL-ID' },
  { title: 'check suspension', description: 'Duties and dates a proposed suspension would set: check suspension PUPIL-ID DATE SESSIONS' },
  { title: 'status', description: 'A case read back — the decision and why, answers, duties, notes, timeline: status CASE-ID' },
  { title: 'overview', description: 'Inclusion officers: cases across your schools' },
];

const FULL_DESCRIPTION = [
  'Before Exclusion helps schools act before a pupil is excluded.',
  'When a pupil reaches a trigger — two suspensions in a half-term, or being at risk of permanent exclusion — it prompts the headteacher and walks them through the structured pre-exclusion assessment (PEAP) questions.',
  'Before a suspension is decided, it shows the statutory duties the suspension would set and the dates they fall due.',
  'Inclusion officers can audit cases across their schools.',
  '',
  'Commands: help · my cases · start peap PUPIL-ID · check suspension PUPIL-ID DATE SESSIONS · status CASE-ID · overview.',
].join('\n');

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;

/**
 * Builds the Teams app manifest (schema v1.30) for this bot.
 *
 * @example teamsManifest({ appId: '8c6f1a2e-3b4d-4e5f-9a0b-1c2d3e4f5a6b', version: '1.0.0', developerName: 'Example', websiteUrl: 'https://example.org', privacyUrl: 'https://example.org/privacy', termsUrl: 'https://example.org/terms' })
 * @param options the installation's settings; `botId` defaults to `appId`, `validDomains` to none
 * @throws AppPackageSettingError when a setting is not accepted, naming it
 */
export function teamsManifest(options: AppPackageOptions): TeamsManifest {
  const appId = guid(options.appId, 'appId');
  const botId = options.botId === undefined ? appId : guid(options.botId, 'botId');
  if (!SEMVER.test(options.version)) {
    throw new AppPackageSettingError('version', `${SETTING.version} must be MAJOR.MINOR.PATCH in whole numbers, such as 1.0.0; got ${JSON.stringify(options.version)}`);
  }
  const developerName = options.developerName.trim();
  if (developerName.length < 1 || developerName.length > 32) {
    throw new AppPackageSettingError('developerName', `${SETTING.developerName} must be 1 to 32 characters; got ${JSON.stringify(options.developerName)}`);
  }
  const tab = options.workspaceUrl === undefined ? undefined : workspaceTab(options.workspaceUrl, appId);
  const validDomains = [...new Set([...(options.validDomains ?? []), ...(tab ? [tab.hostname] : [])])];
  for (const domain of validDomains) {
    if (!HOST.test(domain)) {
      throw new AppPackageSettingError('validDomains', `${SETTING.validDomains}: ${JSON.stringify(domain)} is not accepted; give a host name without scheme, port or path, such as bot.example.org or *.example.org`);
    }
  }

  const scopes: ('personal' | 'team')[] = ['personal', 'team'];
  return {
    $schema: MANIFEST_SCHEMA_URL,
    manifestVersion: MANIFEST_VERSION,
    version: options.version,
    id: appId,
    developer: {
      name: developerName,
      websiteUrl: https(options.websiteUrl, 'websiteUrl'),
      privacyUrl: https(options.privacyUrl, 'privacyUrl'),
      termsOfUseUrl: https(options.termsUrl, 'termsUrl'),
    },
    name: { short: 'Before Exclusion', full: 'Before Exclusion — pre-exclusion assessment and statutory duties' },
    description: {
      short: 'Pre-exclusion assessment and statutory duties, before a suspension is decided',
      full: FULL_DESCRIPTION,
    },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: ACCENT,
    bots: [
      {
        botId,
        scopes,
        supportsFiles: false,
        isNotificationOnly: false,
        commandLists: [{ scopes: [...scopes], commands: COMMANDS.map((command) => ({ ...command })) }],
      },
    ],
    // After the bot's chat, which Teams keeps first: the chat stays where a personal app opens.
    ...(tab ? { staticTabs: [{ entityId: 'workspace', name: 'Workspace', contentUrl: tab.contentUrl, websiteUrl: tab.websiteUrl, scopes: ['personal'] as 'personal'[] }] } : {}),
    permissions: ['identity', 'messageTeamMembers'],
    validDomains,
    ...(tab ? { webApplicationInfo: { id: appId, resource: tab.resource } } : {}),
  };
}

/**
 * The workspace's tab: Teams opens `contentUrl` in the tab (the page that signs in with the tab's
 * token) and `websiteUrl` when one chooses to open it in a browser. The token is for the
 * Application ID URI `api://HOST/APP_ID`, HOST as in WORKSPACE_URL (with its port, if any) —
 * what the service checks the token's audience against (web/teamsSignIn.ts).
 */
function workspaceTab(value: string, appId: string): { contentUrl: string; websiteUrl: string; resource: string; hostname: string } {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:' || url.search || url.hash || url.username || url.password || value.length > 1900) {
    throw new AppPackageSettingError('workspaceUrl', `${SETTING.workspaceUrl} must be the web workspace's https:// address, such as https://bot.example.org/workspace (Teams opens tabs over https only); got ${JSON.stringify(value)}`);
  }
  const base = value.replace(/\/+$/, '');
  return { contentUrl: `${base}${TEAMS_TAB_PATH}`, websiteUrl: `${base}/cases`, resource: `api://${url.host}/${appId}`, hostname: url.hostname };
}

/**
 * Builds the ZIP to upload to Teams: `manifest.json`, `color.png` and `outline.png` at its root.
 *
 * @example writeFileSync('teams-app.zip', buildAppPackage(options))
 * @param options the installation's settings, as for {@link teamsManifest}
 * @throws AppPackageSettingError when a setting is not accepted, naming it
 */
export function buildAppPackage(options: AppPackageOptions): Buffer {
  const manifest = teamsManifest(options);
  return zipFiles([
    { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') },
    { name: manifest.icons.color, data: colorIcon() },
    { name: manifest.icons.outline, data: outlineIcon() },
  ]);
}

function guid(value: string, option: 'appId' | 'botId'): string {
  if (GUID.test(value)) return value;
  throw new AppPackageSettingError(
    option,
    `${SETTING[option]} must be the bot's Microsoft App ID from its Azure Bot registration, a GUID such as 8c6f1a2e-3b4d-4e5f-9a0b-1c2d3e4f5a6b; got ${JSON.stringify(value)}`,
  );
}

function https(value: string, option: 'websiteUrl' | 'privacyUrl' | 'termsUrl'): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol === 'https:' && value.length <= 2048) return value;
  throw new AppPackageSettingError(option, `${SETTING[option]} must be an https:// URL (Teams refuses others); got ${JSON.stringify(value)}`);
}

// --- Icons -------------------------------------------------------------------------------
// A shield with a tick: the pupil kept safe by checks done first. Drawn in "symbol"
// coordinates (0–1 across the symbol's square), then placed with a margin in each icon.

type Point = readonly [x: number, y: number];

const SHIELD: Point[] = (() => {
  // The right half, from the top centre down to the point; the left half mirrors it.
  const right: Point[] = [[0.5, 0], [0.92, 0.1], [0.92, 0.5]];
  const [start, control, end] = [[0.92, 0.5], [0.9, 0.82], [0.5, 1]] as const;
  for (let step = 1; step <= 12; step++) {
    const t = step / 12;
    const a = (1 - t) * (1 - t);
    const b = 2 * (1 - t) * t;
    const c = t * t;
    right.push([a * start[0] + b * control[0] + c * end[0], a * start[1] + b * control[1] + c * end[1]]);
  }
  const left = right.slice(1, -1).map(([x, y]): Point => [1 - x, y]).reverse();
  return [...right, ...left];
})();

const TICK: Point[] = [[0.3, 0.52], [0.45, 0.68], [0.72, 0.36]];

// Drawn once per process: the colour icon takes a fifth of a second to sample.
let colorIconPng: Buffer | undefined;
let outlineIconPng: Buffer | undefined;

/**
 * The 192×192 colour icon: a white shield with a tick cut out, on the accent colour.
 *
 * @example writeFileSync('color.png', colorIcon())
 */
export function colorIcon(): Buffer {
  colorIconPng ??= drawColorIcon();
  return Buffer.from(colorIconPng); // a copy, so a caller cannot change the next one
}

/**
 * The 32×32 outline icon: the shield and tick drawn in white lines on a transparent
 * background — the only colours Teams accepts in an outline icon.
 *
 * @example writeFileSync('outline.png', outlineIcon())
 */
export function outlineIcon(): Buffer {
  outlineIconPng ??= drawOutlineIcon();
  return Buffer.from(outlineIconPng);
}

function drawColorIcon(): Buffer {
  const size = 192;
  // Teams' design guidance: a symbol about 96 px across, centred, with room around it.
  const white = coverage(size, 0.22, (x, y) => insideShield(x, y) && distanceToTick(x, y) > 0.055);
  const [r, g, b] = hexColour(ACCENT);
  const image = blankImage(size);
  white.forEach((amount, i) => {
    image.pixels.set([mix(r, 255, amount), mix(g, 255, amount), mix(b, 255, amount), 255], i * 4);
  });
  return encodePng(image);
}

function drawOutlineIcon(): Buffer {
  const size = 32;
  const margin = 0.06;
  const halfStroke = 1 / (size * (1 - 2 * margin)); // a 2 px line, in symbol units
  const white = coverage(size, margin, (x, y) => Math.abs(shieldEdgeDistance(x, y)) <= halfStroke || distanceToTick(x, y) <= halfStroke);
  const image = blankImage(size);
  white.forEach((amount, i) => {
    image.pixels.set([255, 255, 255, Math.round(amount * 255)], i * 4);
  });
  return encodePng(image);
}

/** How much of each pixel (0–1) the shape covers, sampled 4×4 per pixel to smooth its edges. */
function coverage(size: number, margin: number, covers: (x: number, y: number) => boolean): Float64Array {
  const samples = 4;
  const symbol = size * (1 - 2 * margin);
  const result = new Float64Array(size * size);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples - size * margin) / symbol;
          const y = (py + (sy + 0.5) / samples - size * margin) / symbol;
          if (covers(x, y)) hits++;
        }
      }
      result[py * size + px] = hits / (samples * samples);
    }
  }
  return result;
}

function insideShield(x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = SHIELD.length - 1; i < SHIELD.length; j = i++) {
    const [xi, yi] = SHIELD[i]!;
    const [xj, yj] = SHIELD[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Distance to the shield's edge: negative inside, positive outside. */
function shieldEdgeDistance(x: number, y: number): number {
  const closed = [...SHIELD, SHIELD[0]!];
  const distance = distanceToPolyline(x, y, closed);
  return insideShield(x, y) ? -distance : distance;
}

function distanceToTick(x: number, y: number): number {
  return distanceToPolyline(x, y, TICK);
}

function distanceToPolyline(x: number, y: number, points: Point[]): number {
  let nearest = Infinity;
  for (let i = 1; i < points.length; i++) {
    const [ax, ay] = points[i - 1]!;
    const [bx, by] = points[i]!;
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    nearest = Math.min(nearest, Math.hypot(x - (ax + t * dx), y - (ay + t * dy)));
  }
  return nearest;
}

function blankImage(size: number): RgbaImage {
  return { width: size, height: size, pixels: new Uint8Array(size * size * 4) };
}

function hexColour(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

function mix(from: number, to: number, amount: number): number {
  return Math.round(from + (to - from) * amount);
}
