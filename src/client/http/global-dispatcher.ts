import { Agent, type Dispatcher } from 'undici';

/**
 * The slots where undici keeps the process's global dispatcher. Node's built-in fetch (20 and 24)
 * and undici 7 read `.1`; undici 7.x also writes `.2`, the slot later majors read. Writing them
 * here, not through an `undici` import of the application's, makes it work whatever undici the
 * application has installed, hoisted or not.
 */
const slots = [Symbol.for('undici.globalDispatcher.1'), Symbol.for('undici.globalDispatcher.2')] as const;

type Saved = readonly unknown[];

interface Installed {
  readonly dispatcher: Dispatcher;
  /** What was in the slots when this one went in: what its removal puts back. */
  previous: Saved;
}

/** Installs in this process, oldest first. */
const installed: Installed[] = [];

const globals = globalThis as unknown as Record<symbol, unknown>;

function read(): Saved {
  return slots.map((s) => globals[s]);
}

function write(values: Saved): void {
  slots.forEach((s, i) => {
    // Same attributes as undici's own setGlobalDispatcher, so either can overwrite the other later.
    Object.defineProperty(globalThis, s, { value: values[i], writable: true, enumerable: false, configurable: false });
  });
}

/** The dispatcher that Node's built-in fetch uses now. */
export function currentGlobalDispatcher(): unknown {
  return globals[slots[0]];
}

/**
 * Makes `dispatcher` the process's global dispatcher (Node's built-in fetch, undici's `request`
 * and `fetch`). Returns the undo: it restores what was there before, unless something else has
 * been installed since, in which case that stays in force (and an install made after this one
 * restores what this one replaced).
 */
export function installGlobalDispatcher(dispatcher: Dispatcher): () => void {
  const entry: Installed = { dispatcher, previous: read() };
  write(slots.map(() => dispatcher));
  installed.push(entry);
  return () => {
    const i = installed.indexOf(entry);
    if (i < 0) return;
    installed.splice(i, 1);
    const later = installed[i];
    if (later) {
      later.previous = entry.previous;
      return;
    }
    if (currentGlobalDispatcher() !== dispatcher) return;
    // A slot that was empty gets a plain Agent: a global fetch must keep working after close().
    const fallback = entry.previous.includes(undefined) ? new Agent() : undefined;
    write(entry.previous.map((v) => v ?? fallback));
  };
}
