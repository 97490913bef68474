import { expect, it } from 'vitest';
import * as dashboard from './index.js';

it('exports exactly the public API', () => {
  expect(Object.keys(dashboard).sort()).toEqual([
    'DashboardTokenRequiredError',
    'startDashboard',
    'validateDashboardOptions',
  ]);
});
