/** A command-line flag that takes a number: how to read it and what to say when it is wrong. */
export interface NumberFlag {
  readonly name: string;
  /** What the value must be, as the refusal says it ("a whole number ≥ 1"). */
  readonly expects: string;
  readonly valid: (n: number) => boolean;
}

/** A usage error: the caller prints it with the usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const wholeNumber = (name: string): NumberFlag => ({ name, expects: 'a whole number ≥ 1', valid: (n) => Number.isSafeInteger(n) && n >= 1 });
export const seconds = (name: string): NumberFlag => ({ name, expects: 'a number of seconds > 0', valid: (n) => Number.isFinite(n) && n > 0 });

/**
 * Reads `--name value` and `--name=value` pairs of numeric flags. Anything else (an unknown option,
 * a stray argument, a missing or invalid value) throws a UsageError naming it: a typo must not
 * run the command with a default in its place.
 */
export function parseNumberFlags(args: readonly string[], flags: readonly NumberFlag[]): Map<string, number> {
  const byName = new Map(flags.map((f) => [f.name, f]));
  const values = new Map<string, number>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-')) throw new UsageError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const flag = byName.get(name);
    if (!flag) throw new UsageError(`unknown option '${name}'`);
    const raw = eq < 0 ? args[++i] : arg.slice(eq + 1);
    if (raw === undefined || raw === '' || (eq < 0 && raw.startsWith('--'))) throw new UsageError(`${name} needs a value: ${flag.expects}`);
    // Number('') is 0 and Number('0x10') is 16: only plain decimal notation is a number here.
    const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw) ? Number(raw) : NaN;
    if (!flag.valid(n)) throw new UsageError(`${name} expects ${flag.expects}, got '${raw}'`);
    values.set(name, n);
  }
  return values;
}

/** A flag of a command with words for values: a single value, one that may repeat, or a switch. */
export interface OptionFlag {
  readonly name: string;
  readonly kind: 'value' | 'repeatable' | 'switch';
}

export interface ParsedOptions {
  /** Each flag's values in order; a switch that is present has one empty value. */
  readonly options: Map<string, string[]>;
  readonly positionals: string[];
}

/**
 * Reads `--name value`, `--name=value` and switches, and keeps the other words as positionals.
 * An unknown option, a value missing, or a single-value flag given twice throws a UsageError:
 * a typo must not run the command with a default in its place.
 */
export function parseOptionFlags(args: readonly string[], flags: readonly OptionFlag[]): ParsedOptions {
  const byName = new Map(flags.map((f) => [f.name, f]));
  const options = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const flag = byName.get(name);
    if (!flag) throw new UsageError(`unknown option '${name}'`);
    let value = '';
    if (flag.kind === 'switch') {
      if (eq >= 0) throw new UsageError(`${name} takes no value`);
    } else {
      const raw = eq < 0 ? args[++i] : arg.slice(eq + 1);
      if (raw === undefined || raw === '' || (eq < 0 && raw.startsWith('--'))) throw new UsageError(`${name} needs a value`);
      value = raw;
    }
    const seen = options.get(name);
    if (seen && flag.kind !== 'repeatable') throw new UsageError(`${name} given more than once`);
    options.set(name, [...(seen ?? []), value]);
  }
  return { options, positionals };
}
