// Starts GOV.UK Frontend's components. Its page template does the first line in an inline
// script; the workspace's content security policy allows none, so it is done here.
import { initAll } from './govuk-frontend.min.js';

document.body.classList.add('js-enabled', 'govuk-frontend-supported');
initAll();
