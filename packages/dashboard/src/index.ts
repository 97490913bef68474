// Public API of @leasehold/dashboard. Every export is listed by name on purpose.
export {
  type Dashboard,
  type DashboardOptions,
  DashboardTokenRequiredError,
  validateDashboardOptions,
} from './options.js';
export { startDashboard } from './server.js';
