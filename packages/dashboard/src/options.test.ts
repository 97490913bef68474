import { describe, expect, it } from 'vitest';
import { DashboardTokenRequiredError, validateDashboardOptions } from './options.js';

const TOKEN = 'a-long-dashboard-token-0123456789';

const fieldOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as { code?: string; field?: string };
  }
  throw new Error('no error thrown');
};

describe('validateDashboardOptions', () => {
  it('refuses a token with whitespace, of one repeated character, or short', () => {
    for (const token of [
      ' '.repeat(16),
      `${TOKEN} `,
      ` ${TOKEN}`,
      `${TOKEN}\n`,
      'two words-0123456789',
      'a'.repeat(32),
      'abababababababababab',
      'short-token',
    ])
      expect(
        fieldOf(() => validateDashboardOptions({ token })),
        JSON.stringify(token),
      ).toMatchObject({ code: 'VALIDATION', field: 'token' });
    expect(validateDashboardOptions({ token: TOKEN }).token).toBe(TOKEN);
  });

  it('refuses a host that is neither an IP nor a host name, before it could fail to bind', () => {
    for (const host of ['127.999.1.1', '256.0.0.1', '10.1', 'bad host', 'a_b.example', '[::1]', ''])
      expect(
        fieldOf(() => validateDashboardOptions({ host, token: TOKEN })),
        host,
      ).toMatchObject({
        code: 'VALIDATION',
        field: 'host',
      });
    for (const host of ['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::', 'dash.internal'])
      expect(validateDashboardOptions({ host, token: TOKEN }).host).toBe(host);
  });

  it('asks for a token beyond loopback, naming LEASEHOLD_DASHBOARD_TOKEN', () => {
    const error = fieldOf(() => validateDashboardOptions({ host: '0.0.0.0' }));
    expect(error).toBeInstanceOf(DashboardTokenRequiredError);
    expect(error).toMatchObject({
      field: 'token',
      hint: expect.stringContaining('LEASEHOLD_DASHBOARD_TOKEN'),
    });
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1'])
      expect(validateDashboardOptions({ host }).token).toBeUndefined();
  });

  it('refuses bad ports, allowed hosts and unknown options by name', () => {
    expect(fieldOf(() => validateDashboardOptions({ port: 70_000 }))).toMatchObject({
      field: 'port',
    });
    expect(fieldOf(() => validateDashboardOptions({ allowedHosts: ['a b'] }))).toMatchObject({
      field: 'allowedHosts[0]',
    });
    expect(fieldOf(() => validateDashboardOptions({ allowedHost: ['x'] } as never))).toMatchObject({
      field: 'allowedHost',
    });
    expect(
      validateDashboardOptions({ allowedHosts: ['dash.example', '[::1]:8080'] }).allowedHosts,
    ).toEqual(['dash.example', '[::1]:8080']);
  });
});
