// The workspace as a Teams personal tab (loaded on every page when Teams tab sign-in is on, after
// the Teams JS SDK's bundle, MicrosoftTeams.min.js, which sets window.microsoftTeams):
//
// - follows Teams' theme — default, dark or high contrast — with a class on <html> that
//   teams.css styles, kept for the next page (teams-theme.js puts it back before drawing);
// - hides what is only for a browser outside Teams (`data-hidden-in-teams`: the OpenID Connect
//   sign-in and Sign out, where that is on too) once Teams answers;
// - on the sign-in page, asks Teams for the user's single sign-on token and sends it to the
//   server in the page's form, beside the page's CSRF token. The server checks the token;
//   nothing here reads it.
//
// The SDK first fetches Microsoft's list of the origins Teams runs on from a CDN; the content
// security policy does not let it (connect-src 'self'), and it uses the list it carries instead.

const teams = globalThis.microsoftTeams;
const THEMES = ['default', 'dark', 'contrast'];
const STORED = 'workspace.teams-theme';
/** How long to wait for Teams to answer: outside Teams nothing ever does. */
const INITIALIZE_MS = 10_000;

const form = document.getElementById('teams-sign-in');

function applyTheme(theme) {
  const chosen = THEMES.includes(theme) ? theme : 'default';
  for (const name of THEMES) document.documentElement.classList.toggle(`app-theme-${name}`, name === chosen && name !== 'default');
  try {
    sessionStorage.setItem(STORED, chosen);
  } catch {
    // Storage refused (a browser's privacy setting): the theme still applies to this page.
  }
}

/** Shows the sign-in page's message for `status` (working, outside-teams, failed) and hides the others. */
function show(status) {
  for (const message of document.querySelectorAll('[data-teams-status]')) message.hidden = message.dataset.teamsStatus !== status;
}

function within(ms, promise) {
  return Promise.race([promise, new Promise((_resolve, reject) => setTimeout(() => reject(new Error('timed out')), ms))]);
}

async function start() {
  if (!teams) return form && show('outside-teams');
  try {
    await within(INITIALIZE_MS, teams.app.initialize());
  } catch {
    return form && show('outside-teams');
  }
  for (const element of document.querySelectorAll('[data-hidden-in-teams]')) element.hidden = true;
  try {
    const context = await teams.app.getContext();
    applyTheme(context.app.theme);
    teams.app.registerOnThemeChangeHandler(applyTheme);
  } catch {
    // No context: the page keeps the theme it has.
  }
  if (!form) return;
  try {
    // No time limit: Teams may first ask the user to consent, and that takes what it takes.
    const token = await teams.authentication.getAuthToken();
    form.elements.namedItem('token').value = token;
    form.submit();
  } catch {
    show('failed');
  }
}

start();
