import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { parseDuration } from '../config/index.js';
import { checkServiceIdentity, inspectCertificates, isMeshError, issueDevCertificate } from '../index.js';
import { certDefaults } from './cert-defaults.js';
import { formatCertificate, validityNote } from './format-certificate.js';
import { parseOptionFlags, UsageError, type OptionFlag, type ParsedOptions } from './flags.js';

export const CERT_USAGE = `usage: inmesh cert inspect|issue|check

  inspect FILE       every certificate in a PEM file: SPIFFE ID, subject, issuer, validity,
                     serial, CA or leaf, SHA-256 fingerprint
  issue --service NAME [--trust-domain TD] [--dir DIR] [--ttl 24h] [--out DIR]
        [--dns NAME]... [--ip ADDR]... [--force]
                     a certificate of the dev CA for NAME, with a fresh key: writes NAME.crt,
                     NAME.key (0600) and ca.crt into --out (default .), for curl --cert or
                     identity.mode: files; existing files are refused unless --force
  check URL [--ca FILE] [--expect SPIFFE_ID] [--trust-domain TD] [--dir DIR] [--timeout 5s]
                     connects to https://host:port (or host:port) and checks the server's chain
                     against --ca (default the dev CA) and its SPIFFE identity; presents a
                     certificate of the dev CA as spiffe://TD/svc/inmesh-cli when there is one

  --trust-domain     default the mesh.yaml's in this directory, else cluster.local
  --dir              the dev CA's directory: default the mesh.yaml's identity.dir, else .inmesh
  -h, --help         print this help`;

const COMMON: OptionFlag[] = [
  { name: '--trust-domain', kind: 'value' },
  { name: '--dir', kind: 'value' },
];
const FLAGS: Record<string, OptionFlag[]> = {
  inspect: [],
  issue: [
    ...COMMON,
    { name: '--service', kind: 'value' },
    { name: '--ttl', kind: 'value' },
    { name: '--out', kind: 'value' },
    { name: '--dns', kind: 'repeatable' },
    { name: '--ip', kind: 'repeatable' },
    { name: '--force', kind: 'switch' },
  ],
  check: [...COMMON, { name: '--ca', kind: 'value' }, { name: '--expect', kind: 'value' }, { name: '--timeout', kind: 'value' }],
};

interface Out {
  log(s: string): void;
  error(s: string): void;
}

const one = (p: ParsedOptions, name: string): string | undefined => p.options.get(name)?.[0];

function duration(p: ParsedOptions, name: string, fallback: number): number {
  const raw = one(p, name);
  if (raw === undefined) return fallback;
  try {
    const ms = parseDuration(raw);
    if (ms > 0) return ms;
  } catch {
    // refused below with the flag's name
  }
  throw new UsageError(`${name} expects a duration > 0 such as 30s, 24h or 1.5h, got '${raw}'`);
}

function positional(p: ParsedOptions, what: string, count: number): string[] {
  if (p.positionals.length < count) throw new UsageError(`missing ${what}`);
  if (p.positionals.length > count) throw new UsageError(`unexpected argument '${p.positionals[count]}'`);
  return p.positionals;
}

async function inspect(p: ParsedOptions, out: Out): Promise<number> {
  const [file] = positional(p, 'FILE', 1);
  const certs = inspectCertificates(await readFile(file!, 'utf8'));
  out.log(certs.map((c, i) => `certificate ${i + 1} of ${certs.length}\n${formatCertificate(c)}`).join('\n\n'));
  return 0;
}

async function issue(p: ParsedOptions, out: Out): Promise<number> {
  positional(p, '', 0);
  const service = one(p, '--service');
  if (service === undefined) throw new UsageError('--service NAME is required');
  const ips = p.options.get('--ip') ?? [];
  for (const ip of ips) if (isIP(ip) === 0) throw new UsageError(`--ip expects an IPv4 or IPv6 address, got '${ip}'`);
  const defaults = certDefaults();
  const r = await issueDevCertificate({
    service,
    trustDomain: one(p, '--trust-domain') ?? defaults.trustDomain,
    caDir: one(p, '--dir') ?? defaults.dir,
    outDir: one(p, '--out') ?? '.',
    ttl: duration(p, '--ttl', 86_400_000),
    dnsNames: p.options.get('--dns') ?? [],
    ipAddresses: ips,
    force: p.options.has('--force'),
  });
  out.log(`issued ${r.spiffeId} (valid until ${r.notAfter.toISOString()})\n  certificate: ${r.certFile}\n  key:         ${r.keyFile}\n  trust:       ${r.caFile}`);
  return 0;
}

async function check(p: ParsedOptions, out: Out): Promise<number> {
  const [url] = positional(p, 'URL', 1);
  if (!/^https:\/\//i.test(url!) && /^[a-z][a-z0-9+.-]*:\/\//i.test(url!)) throw new UsageError(`only https:// (or host:port) can be checked, got '${url}'`);
  const defaults = certDefaults();
  const expect = one(p, '--expect');
  const caFile = one(p, '--ca');
  const r = await checkServiceIdentity(url!, {
    trustDomain: one(p, '--trust-domain') ?? defaults.trustDomain,
    devCaDir: one(p, '--dir') ?? defaults.dir,
    timeoutMs: duration(p, '--timeout', 5000),
    ...(expect !== undefined && { expect }),
    ...(caFile !== undefined && { caFile }),
  });
  if (r.certificate) {
    const c = r.certificate;
    out.log(`${url} presented ${c.spiffeIds.join(', ') || '(no SPIFFE ID)'}\n  issuer:    ${c.issuer.replace(/\n/g, ', ')}\n  validity:  ${c.notBefore.toISOString()} – ${c.notAfter.toISOString()} (${validityNote(c)})`);
  }
  if (!r.ok) {
    out.error(`inmesh cert check: ${r.reason}: ${r.detail}`);
    return 1;
  }
  out.log(`  client:    ${r.clientCertificate ? 'presented a dev CA certificate' : 'no client certificate (no dev CA)'}\nok`);
  return 0;
}

const RUN: Record<string, (p: ParsedOptions, out: Out) => Promise<number>> = { inspect, issue, check };

/** `inmesh cert inspect|issue|check`: usage errors exit 2, failures 1 with the reason. */
export async function certCommand(args: readonly string[], out: Out): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '-h' || sub === '--help' || rest.includes('-h') || rest.includes('--help')) {
    (sub === undefined ? out.error : out.log)(CERT_USAGE);
    return sub === undefined ? 2 : 0;
  }
  const run = RUN[sub];
  if (!run) {
    out.error(`inmesh cert: unknown subcommand '${sub}'\n\n${CERT_USAGE}`);
    return 2;
  }
  try {
    return await run(parseOptionFlags(rest, FLAGS[sub]!), out);
  } catch (e) {
    if (e instanceof UsageError) {
      out.error(`inmesh cert ${sub}: ${e.message}\n\n${CERT_USAGE}`);
      return 2;
    }
    if (isMeshError(e) || (e as NodeJS.ErrnoException)?.code !== undefined || e instanceof RangeError) {
      out.error(`inmesh cert ${sub}: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  }
}
