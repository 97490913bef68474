// Public API of @leasehold/dashboard. Every export is listed by name on purpose.
export { escapeHtml } from './html.js';
export {
  type Dashboard,
  type DashboardOptions,
  DashboardTokenRequiredError,
  isLoopback,
} from './options.js';
export { startDashboard } from './server.js';
