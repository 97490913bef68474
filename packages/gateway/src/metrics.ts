// The gateway's counters and their Prometheus text (GET /metrics). More detail (bytes,
// outcomes by category, latency histograms) comes in a later slice.

export interface GatewayStats {
  /** Plain requests forwarded through a leased proxy. */
  requests: number;
  /** Tunnels opened through a leased proxy. */
  tunnels: number;
  /** Requests and tunnels answered 503 no_proxy_available. */
  noProxy: number;
}

export function newStats(): GatewayStats {
  return { requests: 0, tunnels: 0, noProxy: 0 };
}

export function prometheusText(stats: GatewayStats, open: number, leases: number): string {
  const metric = (name: string, type: string, help: string, value: number) =>
    `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`;
  return [
    metric(
      'leasehold_gateway_requests_total',
      'counter',
      'Plain HTTP requests forwarded.',
      stats.requests,
    ),
    metric('leasehold_gateway_tunnels_total', 'counter', 'CONNECT tunnels opened.', stats.tunnels),
    metric(
      'leasehold_gateway_no_proxy_total',
      'counter',
      'Answers 503 no_proxy_available.',
      stats.noProxy,
    ),
    metric('leasehold_gateway_open', 'gauge', 'Requests and tunnels open now.', open),
    metric('leasehold_gateway_leases', 'gauge', 'Leases held now.', leases),
  ].join('');
}
