/* lstm-sweep dashboard: plain browser ES modules, no build step (js/: api.js API and server-sent
   events, format.js and vocabulary.js pure helpers, router.js, views/ one per page part, charts/
   one per chart family). Reads the dashboard's JSON API and its event stream; the parameters and
   metrics, with their labels, come from /api/meta. Charts with Plotly, served by the dashboard. */
import { startRouter } from './js/router.js';

startRouter();
