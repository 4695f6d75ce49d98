import { afterEach } from 'vitest';

interface Closable {
  close(): Promise<unknown> | unknown;
}

/**
 * Closes what a test opened (meshes, servers) after each test, last opened first, so a mesh
 * drains before the servers it calls go away. `current` reads a mesh the test keeps in a `let`.
 *
 * @example
 * const open = closeAfterEach();
 * const s = open.add(await startNamedServer('a'));
 * const mesh = open.add(await createMesh({ … }));
 */
export function closeAfterEach(current?: () => Closable | undefined): { add<T extends Closable>(x: T): T } {
  const opened: Closable[] = [];
  afterEach(async () => {
    // The test's current mesh (a `let` it may replace) first; closing twice is harmless.
    await current?.()?.close();
    while (opened.length) await opened.pop()!.close();
  });
  return {
    add(x) {
      opened.push(x);
      return x;
    },
  };
}
