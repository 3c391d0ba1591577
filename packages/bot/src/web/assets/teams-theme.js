// Loaded in <head>, before the page is drawn, when the workspace is a Teams tab: puts back the
// Teams theme the last page had (teams-tab.mjs keeps it), so a dark Teams never flashes white
// between pages. A classic script, not a module: modules wait until the page is drawn.
(function () {
  try {
    var theme = sessionStorage.getItem('workspace.teams-theme');
    if (theme === 'dark' || theme === 'contrast') document.documentElement.classList.add('app-theme-' + theme);
  } catch (e) {
    // Storage refused: teams-tab.mjs sets the theme once Teams answers.
  }
})();
