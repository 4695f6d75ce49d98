import { callControlAdmin, readOperatorFile, type AdminCallOptions, type AdminReply } from '../control/admin-client.js';
import { controlClientDefaults } from './control-client-defaults.js';
import type { OptionFlag, ParsedOptions } from './flags.js';

/** The flags every operator command shares: which daemon, and the credentials to call it with. */
export const CONTROL_CLIENT_FLAGS: OptionFlag[] = [
  { name: '--control', kind: 'value' },
  { name: '--admin-token-file', kind: 'value' },
  { name: '--ca-file', kind: 'value' },
];

export const CONTROL_CLIENT_USAGE = `  --control          the daemon's URL (default control.url of ./mesh.yaml, else https://127.0.0.1:7070)
  --admin-token-file default .inmesh/control/admin.token
  --ca-file          the daemon's CA bundle (default .inmesh/control/ca.pem)`;

/** An admin call to the daemon the flags (or their defaults) name. */
export function adminCaller(p: ParsedOptions): (call: Pick<AdminCallOptions, 'method' | 'path' | 'body' | 'contentType'>) => Promise<AdminReply> {
  const defaults = controlClientDefaults();
  const one = (name: string) => p.options.get(name)?.[0];
  const url = one('--control') ?? defaults.url;
  const tokenFile = one('--admin-token-file') ?? defaults.adminTokenFile;
  const caFile = one('--ca-file') ?? defaults.caFile;
  return async (call) => {
    const adminToken = readOperatorFile(tokenFile, 'admin token file', '--admin-token-file').trim();
    const caPem = readOperatorFile(caFile, 'CA bundle', '--ca-file');
    return callControlAdmin({ url, adminToken, caPem, ...call });
  };
}

/** The daemon's reason for a refusal, as one line. */
export function refusalOf(r: AdminReply): string {
  const message = r.body?.error?.message;
  return `the control daemon refused (${r.status})${typeof message === 'string' ? `: ${message}` : ''}`;
}
