/**
 * The Teams app package as Teams and an administrator meet it: a ZIP that opens, a manifest
 * valid against Microsoft's published JSON schema for the version it names (v1.30, from
 * Microsoft's `@microsoft/app-manifest` package: no network) — with the web workspace as a
 * personal tab and its single sign-on when given its address, and privacy and terms pages that
 * exist — icons of the sizes and colours Teams demands, and settings refused with the name of the
 * setting. The ZIP and PNGs are read back here with node:zlib alone, so the tests need no system
 * tools and no network.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { crc32 as zlibCrc32, inflateRawSync, inflateSync } from 'node:zlib';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { POLICY_PAGES } from '../service/policyPages.js';
import { AppPackageSettingError, buildAppPackage, colorIcon, MANIFEST_SCHEMA_URL, MANIFEST_VERSION, outlineIcon, policyUrls, REPOSITORY, teamsManifest, type AppPackageOptions } from './appPackage.js';
import { crc32, zipFiles } from './zip.js';

const APP_ID = '8c6f1a2e-3b4d-4e5f-9a0b-1c2d3e4f5a6b';

const options: AppPackageOptions = {
  appId: APP_ID,
  version: '1.2.3',
  developerName: 'Before Exclusion contributors',
  websiteUrl: 'https://github.com/before-exclusion/before-exclusion',
  privacyUrl: 'https://bot.example.org/privacy',
  termsUrl: 'https://bot.example.org/terms',
  validDomains: ['bot.example.org'],
};

/** The files in a ZIP, read from its central directory; each entry's CRC and sizes are checked. */
function readZip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end, 'end of central directory record').toBeGreaterThanOrEqual(0);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  expect(at + zip.readUInt32LE(end + 12)).toBe(end);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at), 'central directory header').toBe(0x02014b50);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localAt = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);

    expect(zip.readUInt32LE(localAt), `local header of ${name}`).toBe(0x04034b50);
    const localName = zip.toString('utf8', localAt + 30, localAt + 30 + zip.readUInt16LE(localAt + 26));
    expect(localName).toBe(name);
    const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
    const stored = zip.subarray(dataAt, dataAt + compressedSize);
    expect([0, 8]).toContain(method);
    const data = method === 8 ? inflateRawSync(stored) : Buffer.from(stored);
    expect(data.length, `size of ${name}`).toBe(size);
    expect(zlibCrc32(data), `CRC of ${name}`).toBe(crc);
    files.set(name, data);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

/** A PNG's size, colour type and RGBA pixels; chunk CRCs are checked and row filters undone. */
function readPng(png: Buffer): { width: number; height: number; colourType: number; pixels: Buffer } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let at = 8;
  let header: Buffer | undefined;
  const idat: Buffer[] = [];
  let ended = false;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length), `CRC of ${type}`).toBe(zlibCrc32(png.subarray(at + 4, at + 8 + length)));
    if (type === 'IHDR') header = data;
    if (type === 'IDAT') idat.push(data);
    if (type === 'IEND') ended = true;
    at += 12 + length;
  }
  expect(ended, 'IEND chunk').toBe(true);
  if (header === undefined) throw new Error('no IHDR chunk');
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const colourType = header.readUInt8(9);
  expect(header.readUInt8(8), 'bit depth').toBe(8);
  expect(header.readUInt8(12), 'interlace').toBe(0);

  const stride = width * 4;
  const rows = inflateSync(Buffer.concat(idat));
  expect(rows.length).toBe((stride + 1) * height);
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = rows[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const raw = rows[y * (stride + 1) + 1 + x]!;
      const left = x >= 4 ? pixels[y * stride + x - 4]! : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const upLeft = x >= 4 && y > 0 ? pixels[(y - 1) * stride + x - 4]! : 0;
      const predicted = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter];
      if (predicted === undefined) throw new Error(`row ${y} has filter ${filter}; PNG filters are 0 to 4`);
      pixels[y * stride + x] = (raw + predicted) & 0xff;
    }
  }
  return { width, height, colourType, pixels };
}

function paeth(left: number, up: number, upLeft: number): number {
  const p = left + up - upLeft;
  const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
  return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
}

// Microsoft's JSON schema for the app manifest, as Microsoft publishes it in @microsoft/app-manifest
// (MIT; the same file as the manifest's $schema address). It is draft-04 with formats (uri, regex…);
// it leaves "type" out beside some keywords, which Ajv's strict types would only warn about.
const require = createRequire(import.meta.url);
const SCHEMA_FILE = require.resolve(`@microsoft/app-manifest/build/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`);
const publishedSchema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { $schema: string; properties: { manifestVersion: { const: string } } };
// Both are CommonJS: the default import is module.exports, whose `default` is the same function, typed.
const ajv = new AjvDraft04.default({ allErrors: true, strictTypes: false });
ajvFormats.default(ajv);
const validateManifest = ajv.compile(publishedSchema);

/** The schema's complaints about a manifest, as "path: message" lines (none when it is valid). */
function schemaErrors(manifest: unknown): string[] {
  return validateManifest(manifest) ? [] : (validateManifest.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}

function manifestIn(zip: Buffer): unknown {
  const data = readZip(zip).get('manifest.json');
  if (data === undefined) throw new Error('no manifest.json in the package');
  return JSON.parse(data.toString('utf8'));
}

describe('Teams app package', () => {
  it('opens as a ZIP holding exactly manifest.json, color.png and outline.png at its root', () => {
    const files = readZip(buildAppPackage(options));
    expect([...files.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
  });

  it('holds a manifest valid against the published schema it names, for the given app id and version', () => {
    const manifest = manifestIn(buildAppPackage(options));
    expect(schemaErrors(manifest)).toEqual([]);
    expect(publishedSchema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(manifest).toMatchObject({ $schema: MANIFEST_SCHEMA_URL, manifestVersion: publishedSchema.properties.manifestVersion.const });
    expect(MANIFEST_SCHEMA_URL).toBe(`https://developer.microsoft.com/en-us/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`);
    expect(MANIFEST_VERSION).toBe('1.30');
    const { id, version, icons, bots } = teamsManifest(options);
    expect(id).toBe(APP_ID);
    expect(version).toBe('1.2.3');
    expect(icons).toEqual({ color: 'color.png', outline: 'outline.png' });
    expect(bots[0]?.botId).toBe(APP_ID);
    expect(manifest).not.toHaveProperty('webApplicationInfo');
  });

  it('offers the bot in personal chats and teams, with the six commands in both', () => {
    const [bot] = teamsManifest(options).bots;
    expect(bot?.scopes).toEqual(['personal', 'team']);
    expect(bot?.isNotificationOnly).toBe(false);
    const commandsByScope = new Map<string, string[]>();
    for (const list of bot?.commandLists ?? []) {
      for (const scope of list.scopes) commandsByScope.set(scope, list.commands.map((command) => command.title));
    }
    const six = ['help', 'my cases', 'start peap', 'check suspension', 'status', 'overview'];
    expect(commandsByScope.get('personal')).toEqual(six);
    expect(commandsByScope.get('team')).toEqual(six);
  });

  it('keeps names, descriptions and commands within the lengths Teams accepts', () => {
    const manifest = teamsManifest(options);
    expect(manifest.name.short.length).toBeLessThanOrEqual(30);
    expect(manifest.name.full.length).toBeLessThanOrEqual(100);
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
    expect(manifest.description.full.length).toBeLessThanOrEqual(4000);
    for (const command of manifest.bots.flatMap((bot) => bot.commandLists.flatMap((list) => list.commands))) {
      expect(command.title.length, command.title).toBeLessThanOrEqual(32);
      expect(command.description.length, command.title).toBeLessThanOrEqual(128);
    }
    expect(manifest.description.full).toMatch(/two suspensions in a half-term/);
    expect(manifest.description.full).toMatch(/PEAP/);
  });

  it('lists the given domains, and none by default; the bot id defaults to the app id', () => {
    const { validDomains: _, ...withoutDomains } = options;
    expect(teamsManifest(withoutDomains).validDomains).toEqual([]);
    expect(teamsManifest(options).validDomains).toEqual(['bot.example.org']);
    const otherBot = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
    expect(teamsManifest({ ...options, botId: otherBot }).bots[0]?.botId).toBe(otherBot);
  });
});

describe('the published schema', () => {
  it('refuses what Teams would refuse: a property it does not know, another manifest version, a bad id', () => {
    const manifest = teamsManifest(options);
    expect(schemaErrors({ ...manifest, packageName: 'org.beforeexclusion.bot' })).toEqual([expect.stringMatching(/must NOT have additional properties .*packageName/)]);
    expect(schemaErrors({ ...manifest, manifestVersion: '1.17' })).toEqual([expect.stringMatching(/^\/manifestVersion: must be equal to constant/)]);
    expect(schemaErrors({ ...manifest, id: 'before-exclusion' })).toEqual([expect.stringMatching(/^\/id: must match pattern/)]);
  });
});

describe('the privacy notice and terms of use', () => {
  it("are the service's /privacy and /terms under PUBLIC_URL, or without it the files they are rendered from, which exist in the repository", () => {
    expect(policyUrls('https://bot.example.org/')).toEqual({ privacyUrl: 'https://bot.example.org/privacy', termsUrl: 'https://bot.example.org/terms' });
    const inRepository = policyUrls(undefined);
    expect(inRepository).toEqual({ privacyUrl: `${REPOSITORY}/blob/main/docs/privacy.md`, termsUrl: `${REPOSITORY}/blob/main/docs/terms.md` });
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    for (const url of Object.values(inRepository)) expect(existsSync(`${root}/${url.slice(`${REPOSITORY}/blob/main/`.length)}`), url).toBe(true);
    expect(POLICY_PAGES.map((p) => p.path)).toEqual(['/privacy', '/terms']);
    expect(teamsManifest({ ...options, ...policyUrls('https://bot.example.org') }).developer).toMatchObject({ privacyUrl: 'https://bot.example.org/privacy', termsOfUseUrl: 'https://bot.example.org/terms' });
  });
});

describe('the web workspace as a personal tab', () => {
  const withTab: AppPackageOptions = { ...options, workspaceUrl: 'https://bot.example.org/workspace/' };

  it('is a personal static tab opening the tab sign-in page, with single sign-on for api://HOST/APP_ID, in a manifest valid against the published schema', () => {
    const manifest = manifestIn(buildAppPackage(withTab));
    expect(schemaErrors(manifest)).toEqual([]);
    expect(manifest).toEqual(teamsManifest(withTab));
    const { staticTabs, webApplicationInfo, validDomains } = teamsManifest(withTab);
    expect(staticTabs).toEqual([
      { entityId: 'workspace', name: 'Workspace', contentUrl: 'https://bot.example.org/workspace/sign-in/teams', websiteUrl: 'https://bot.example.org/workspace/cases', scopes: ['personal'] },
    ]);
    expect(webApplicationInfo).toEqual({ id: APP_ID, resource: `api://bot.example.org/${APP_ID}` });
    // The tab's host is a valid domain, once, though PUBLIC_URL names it too.
    expect(validDomains).toEqual(['bot.example.org']);
  });

  it('takes its host from the workspace address, port and all for the Application ID URI, without it in validDomains', () => {
    const manifest = teamsManifest({ ...options, validDomains: [], workspaceUrl: 'https://tab.example.org:8443/workspace' });
    expect(manifest.validDomains).toEqual(['tab.example.org']);
    expect(manifest.webApplicationInfo).toEqual({ id: APP_ID, resource: `api://tab.example.org:8443/${APP_ID}` });
    expect(manifest.staticTabs?.[0]?.contentUrl).toBe('https://tab.example.org:8443/workspace/sign-in/teams');
  });

  it('is left out, single sign-on too, without the workspace address', () => {
    const manifest = teamsManifest(options);
    expect(manifest).not.toHaveProperty('staticTabs');
    expect(manifest).not.toHaveProperty('webApplicationInfo');
  });

  it.each(['http://bot.example.org/workspace', 'bot.example.org/workspace', 'https://bot.example.org/workspace?x=1', 'https://user:pw@bot.example.org/workspace'])('refuses the workspace address %j, naming WORKSPACE_URL', (workspaceUrl) => {
    expect(() => teamsManifest({ ...options, workspaceUrl })).toThrow(/WORKSPACE_URL must be the web workspace's https:\/\/ address/);
  });
});

describe('Teams app icons', () => {
  it('are a 192×192 colour icon and a 32×32 outline icon, as stored in the package', () => {
    const files = readZip(buildAppPackage(options));
    const color = readPng(files.get('color.png') ?? Buffer.alloc(0));
    const outline = readPng(files.get('outline.png') ?? Buffer.alloc(0));
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    expect(files.get('color.png')).toEqual(colorIcon());
    expect(files.get('outline.png')).toEqual(outlineIcon());
  });

  it('draws the outline icon only in white on transparent, as Teams requires', () => {
    const { pixels, colourType } = readPng(outlineIcon());
    expect(colourType).toBe(6); // RGBA
    let drawn = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const [r, g, b, a] = pixels.subarray(i, i + 4);
      if (a === 0) continue;
      drawn++;
      expect([r, g, b], `pixel ${i / 4}`).toEqual([255, 255, 255]);
    }
    expect(drawn, 'some of the icon is drawn').toBeGreaterThan(50);
    expect(pixels[3], 'the corner is transparent').toBe(0);
  });

  it('fills the colour icon, opaque, with the accent colour behind a white symbol', () => {
    const { pixels } = readPng(colorIcon());
    const seeThrough = pixels.filter((value, i) => i % 4 === 3 && value !== 255).length;
    expect(seeThrough, 'pixels not fully opaque').toBe(0);
    expect([...pixels.subarray(0, 3)]).toEqual([0x1f, 0x6e, 0x5c]);
    const upperShield = (64 * 192 + 96) * 4; // above the tick, on the centre line
    expect([...pixels.subarray(upperShield, upperShield + 3)]).toEqual([255, 255, 255]);
  });
});

describe('settings the package refuses', () => {
  it.each(['', 'before-exclusion', '{8c6f1a2e-3b4d-4e5f-9a0b-1c2d3e4f5a6b}', '28:8c6f1a2e-3b4d-4e5f-9a0b-1c2d3e4f5a6b', '8c6f1a2e3b4d4e5f9a0b1c2d3e4f5a6b'])(
    'refuses app id %j, naming TEAMS_APP_ID and saying a GUID is wanted',
    (appId) => {
      expect(() => buildAppPackage({ ...options, appId })).toThrow(AppPackageSettingError);
      expect(() => teamsManifest({ ...options, appId })).toThrow(/TEAMS_APP_ID \(or MicrosoftAppId\) must be .*a GUID/);
    },
  );

  it.each([
    [{ websiteUrl: 'http://example.org' }, /TEAMS_WEBSITE_URL must be an https:\/\/ URL/],
    [{ privacyUrl: 'example.org/privacy' }, /TEAMS_PRIVACY_URL must be an https:\/\/ URL/],
    [{ termsUrl: 'ftp://example.org/terms' }, /TEAMS_TERMS_URL must be an https:\/\/ URL/],
    [{ version: '1.0' }, /TEAMS_APP_VERSION must be MAJOR.MINOR.PATCH/],
    [{ version: 'v1.0.0' }, /TEAMS_APP_VERSION must be MAJOR.MINOR.PATCH/],
    [{ developerName: 'A developer name far longer than Teams allows' }, /TEAMS_DEVELOPER_NAME must be 1 to 32 characters/],
    [{ validDomains: ['https://bot.example.org/'] }, /validDomains .*host name without scheme/],
    [{ botId: 'bot' }, /botId must be .*a GUID/],
  ] satisfies [Partial<AppPackageOptions>, RegExp][])('refuses %j, naming the setting', (change, message) => {
    expect(() => teamsManifest({ ...options, ...change })).toThrow(message);
  });
});

describe('ZIP writer', () => {
  it('computes the standard CRC-32 check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    const sample = Buffer.from('Before Exclusion — pre-exclusion assessment');
    expect(crc32(sample)).toBe(zlibCrc32(sample));
  });

  it('round-trips empty files, UTF-8 names and larger data', () => {
    const large = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 251));
    const files = readZip(zipFiles([{ name: 'empty.txt', data: Buffer.alloc(0) }, { name: 'folder/naïve.txt', data: Buffer.from('é') }, { name: 'large.bin', data: large }]));
    expect(files.get('empty.txt')).toEqual(Buffer.alloc(0));
    expect(files.get('folder/naïve.txt')?.toString('utf8')).toBe('é');
    expect(files.get('large.bin')?.equals(large)).toBe(true);
  });

  it('refuses duplicate and absolute names', () => {
    expect(() => zipFiles([{ name: 'a', data: Buffer.alloc(0) }, { name: 'a', data: Buffer.alloc(0) }])).toThrow(/appears twice/);
    expect(() => zipFiles([{ name: '/etc/passwd', data: Buffer.alloc(0) }])).toThrow(/relative path/);
  });
});
