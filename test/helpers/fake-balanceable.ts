import type { Clock, EndpointStatus } from '../../src/core/index.js';
import { PeakEwma } from '../../src/balancer/peak-ewma.js';
import type { Balanceable } from '../../src/balancer/picker.js';

/** A balancer-only endpoint whose load comes from a real PeakEwma on the test's clock. */
export class FakeBalanceable implements Balanceable {
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly weight: number;
  readonly ewma: PeakEwma;
  state: EndpointStatus = 'open';
  closes = 0;

  constructor(address: string, o: { clock: Clock; weight?: number; labels?: Record<string, string>; decay?: number }) {
    this.address = address;
    this.weight = o.weight ?? 1;
    this.labels = o.labels ?? {};
    this.ewma = new PeakEwma({ decay: o.decay ?? 10_000, clock: o.clock });
  }

  status(): EndpointStatus {
    return this.state;
  }

  pending(): number {
    return this.ewma.pending;
  }

  load(): number {
    return this.ewma.cost();
  }

  async close(): Promise<void> {
    this.closes++;
  }
}

/** `n` endpoints named `10.0.0.<i>:80`. */
export function fakeEndpoints(n: number, clock: Clock, weight?: (i: number) => number): FakeBalanceable[] {
  return Array.from({ length: n }, (_, i) => new FakeBalanceable(`10.0.0.${i + 1}:80`, { clock, weight: weight?.(i) ?? 1 }));
}
