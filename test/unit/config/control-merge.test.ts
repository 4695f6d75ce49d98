import { describe, expect, it } from 'vitest';
import { parseMeshConfig } from '../../../src/config/load.js';
import { mergeControlConfig, parseControlConfig } from '../../../src/config/control-merge.js';
import { ConfigValidationError } from '../../../src/core/index.js';

const local = parseMeshConfig(
  [
    'mesh: local',
    'trustDomain: local.td',
    'control: { url: "https://127.0.0.1:7070" }',
    'admin: { port: 9464 }',
    'services:',
    '  orders: { endpoints: ["127.0.0.1:1"], timeout: 5s }',
    '  payments: { endpoints: ["127.0.0.1:2"] }',
    'authorization:',
    '  checkout: []',
    '  web: []',
    '',
  ].join('\n'),
).config;

describe('mergeControlConfig', () => {
  it('takes the services and rules the daemon names whole, keeps the rest and the workload keys', () => {
    const daemon = parseControlConfig(['mesh: shop', 'admin: { port: 1234 }', 'services:', '  orders: { endpoints: ["127.0.0.1:3"] }', 'authorization:', '  checkout: [{ from: ["spiffe://x/svc/a"] }]', ''].join('\n'), 4);
    const merged = mergeControlConfig(local, daemon);
    expect(merged.mesh).toBe('shop');
    expect(merged.trustDomain).toBe('local.td'); // not set by the daemon
    expect(merged.admin.port).toBe(9464);
    expect(merged.services.orders).toBe(daemon.config.services.orders);
    expect(merged.services.payments).toBe(local.services.payments);
    expect(merged.authorization.checkout).toHaveLength(1);
    expect(merged.authorization.web).toEqual([]);
  });

  it('refuses a version that moves the trust domain of a running identity, naming the version', () => {
    const daemon = parseControlConfig('trustDomain: other.td\n', 9);
    expect(() => mergeControlConfig(local, daemon, 'local.td')).toThrow(ConfigValidationError);
    expect(() => mergeControlConfig(local, daemon, 'local.td')).toThrow(/control v9/);
    expect(mergeControlConfig(local, daemon).trustDomain).toBe('other.td');
  });

  it('lets the daemon\'s services use the registry without a control: block of its own (its workloads have control.url)', () => {
    const daemon = parseControlConfig(['services:', '  orders: { discovery: { control: true }, subsets: { v2: { version: v2 } } }', '  payments: { timeout: 2s }', ''].join('\n'), 3);
    expect(daemon.config.services.orders!.discovery).toEqual({ kind: 'control' });
    expect(daemon.config.services.payments!.discovery).toEqual({ kind: 'control' });
    // A workload's own file still needs control: for the registry.
    expect(() => parseMeshConfig('services:\n  orders: { discovery: { control: true } }\n')).toThrow(/control discovery needs control/);
  });

  it('reports a bad daemon text with its position under control v<N>', () => {
    expect(() => parseControlConfig('services:\n  orders:\n    endpoints: ["127.0.0.1:1"]\n    timeout: soon\n', 12)).toThrow(/control v12:4:/);
  });
});
