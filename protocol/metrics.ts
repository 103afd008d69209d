/** Prometheus text exposition of the host's counters (format 0.0.4). */
import type { Host } from './host.ts';

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function renderMetrics(host: Host): string {
  const lines: string[] = [];
  const metric = (
    name: string,
    type: string,
    help: string,
    samples: Array<[Record<string, string>, number]>,
  ) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const l = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`);
      lines.push(`${name}${l.length ? `{${l.join(',')}}` : ''} ${value}`);
    }
  };
  metric(
    'factrecall_connections',
    'gauge',
    'Open protocol connections (WebSocket and gRPC Session streams).',
    [[{}, host.connections]],
  );
  metric('factrecall_requests_in_flight', 'gauge', 'Requests being handled now.', [
    [{}, host.inFlight],
  ]);
  metric('factrecall_open_envs', 'gauge', 'Envs made and not yet closed.', [[{}, host.envs.size]]);
  metric('factrecall_draining', 'gauge', '1 while the server shuts down.', [
    [{}, host.draining ? 1 : 0],
  ]);
  metric(
    'factrecall_requests_total',
    'counter',
    'Requests answered, by verb (errors included).',
    [...host.requests].map(([verb, n]) => [{ verb }, n]),
  );
  metric(
    'factrecall_errors_total',
    'counter',
    'Requests answered with an error, by code.',
    [...host.errors].map(([code, n]) => [{ code }, n]),
  );
  const { bySplit } = host.episodeCounts();
  const states = [
    'issued',
    'open',
    'answered',
    'expired',
    'closed',
    'judgeFailed',
    'scored',
  ] as const;
  const samples: Array<[Record<string, string>, number]> = [];
  for (const [split, c] of Object.entries(bySplit)) {
    for (const state of states) samples.push([{ split, state }, c[state]]);
  }
  metric(
    'factrecall_episodes',
    'gauge',
    'Episodes by split and how they ended (open: not yet).',
    samples,
  );
  return `${lines.join('\n')}\n`;
}
