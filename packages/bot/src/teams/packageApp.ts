#!/usr/bin/env node
/**
 * `pnpm teams:package` — writes the Teams app package (manifest and icons in a ZIP) from the
 * environment, ready to upload in Teams under Apps → Manage your apps → Upload an app.
 *
 * Exit codes: 0 written · 2 a setting missing or not accepted, or bad usage · 1 other failure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AppPackageSettingError, buildAppPackage, MANIFEST_VERSION, policyUrls, REPOSITORY, teamsManifest, type AppPackageOptions } from './appPackage.js';

const DEFAULTS = {
  version: '1.0.0',
  developerName: 'Before Exclusion contributors',
  websiteUrl: REPOSITORY,
};

const USAGE = `teams:package — write the Teams app package (manifest.json for app manifest schema v${MANIFEST_VERSION}, color.png, outline.png in a ZIP)

Usage:
  node packages/bot/dist/teams/packageApp.js [--out FILE]     (default data/teams-app.zip)

Settings, from the environment:
  TEAMS_APP_ID or MicrosoftAppId   required: the bot's Microsoft App ID (a GUID) from its Azure Bot registration
  TEAMS_APP_VERSION                MAJOR.MINOR.PATCH, default 1.0.0; raise it for each update you upload
  PUBLIC_URL                       the bot's public https base URL; its host goes in validDomains
  WORKSPACE_URL                    the web workspace's https address (https://HOST/workspace): adds it as a personal
                                   tab with single sign-on (Application ID URI api://HOST/APP_ID); unset, no tab
  TEAMS_DEVELOPER_NAME             default "${DEFAULTS.developerName}"
  TEAMS_WEBSITE_URL                https URL, default the project's repository
  TEAMS_PRIVACY_URL, TEAMS_TERMS_URL   https URLs, default the service's own PUBLIC_URL/privacy and PUBLIC_URL/terms
                                   (docs/privacy.md and docs/terms.md; without PUBLIC_URL, those files in the repository)`;

class UsageError extends Error {}

function main(argv: string[], env: NodeJS.ProcessEnv): number {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const options = settingsFrom(env);
  const manifest = teamsManifest(options);
  const out = resolve(values.out ?? 'data/teams-app.zip');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, buildAppPackage(options));
  process.stdout.write(
    `wrote ${out}\n  Teams app ${manifest.id}, version ${manifest.version}, app manifest schema v${manifest.manifestVersion}` +
      `${manifest.validDomains.length > 0 ? `, valid domains ${manifest.validDomains.join(', ')}` : ''}\n` +
      (manifest.staticTabs && manifest.webApplicationInfo
        ? `  personal tab "${manifest.staticTabs[0]!.name}" at ${manifest.staticTabs[0]!.contentUrl}, single sign-on for ${manifest.webApplicationInfo.resource}\n` +
          `  (the app registration must expose that Application ID URI with the scope access_as_user: see packages/bot/README.md)\n`
        : `  no personal tab: set WORKSPACE_URL to add the web workspace as one\n`) +
      `  privacy notice ${manifest.developer.privacyUrl}, terms of use ${manifest.developer.termsOfUseUrl}\n` +
      `  upload it in Teams: Apps → Manage your apps → Upload an app\n`,
  );
  return 0;
}

function settingsFrom(env: NodeJS.ProcessEnv): AppPackageOptions {
  const appId = setting(env, 'TEAMS_APP_ID') ?? setting(env, 'MicrosoftAppId');
  if (appId === undefined) {
    throw new UsageError(
      `TEAMS_APP_ID (or MicrosoftAppId) is required: the Teams app id is the bot's Microsoft App ID, ` +
        `a GUID from its Azure Bot registration (Configuration → Microsoft App ID). For example:\n` +
        `  TEAMS_APP_ID=8c6f1a2e-3b4d-4e5f-9a0b-1c2d3e4f5a6b PUBLIC_URL=https://bot.example.org pnpm teams:package`,
    );
  }
  const publicUrl = setting(env, 'PUBLIC_URL');
  const validDomains = publicHost(publicUrl); // checked before it makes the policies' URLs
  const policies = policyUrls(publicUrl);
  return {
    appId,
    version: setting(env, 'TEAMS_APP_VERSION') ?? DEFAULTS.version,
    developerName: setting(env, 'TEAMS_DEVELOPER_NAME') ?? DEFAULTS.developerName,
    websiteUrl: setting(env, 'TEAMS_WEBSITE_URL') ?? DEFAULTS.websiteUrl,
    privacyUrl: setting(env, 'TEAMS_PRIVACY_URL') ?? policies.privacyUrl,
    termsUrl: setting(env, 'TEAMS_TERMS_URL') ?? policies.termsUrl,
    validDomains,
    ...(setting(env, 'WORKSPACE_URL') ? { workspaceUrl: setting(env, 'WORKSPACE_URL')! } : {}),
  };
}

/** An environment variable, with an empty one (`FOO=`) read as unset. */
function setting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function publicHost(publicUrl: string | undefined): string[] {
  if (publicUrl === undefined) return [];
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new UsageError(`PUBLIC_URL ${JSON.stringify(publicUrl)} is not a URL; give the bot's public https base URL, such as https://bot.example.org`);
  }
  if (url.protocol !== 'https:') throw new UsageError(`PUBLIC_URL must be https (Teams only talks to bots over https); got ${JSON.stringify(publicUrl)}`);
  return [url.hostname];
}

try {
  process.exitCode = main(process.argv.slice(2), process.env);
} catch (error) {
  if (error instanceof UsageError || error instanceof AppPackageSettingError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`teams:package: ${(error as Error).message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`teams:package: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
