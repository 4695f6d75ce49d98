export function nginxConfig(o: { dir: string; name: string; port: number; upstreamPort: number }): string;
