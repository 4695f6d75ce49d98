// A backend served by inmesh (mesh.serve), in a process of its own, so that it reports its load
// (inmesh-load) on responses. With `--hog R` its event loop is kept busy a share R of the time
// (a blocked or CPU-starved Node instance). Prints its port on stdout.
import { createMesh } from '../dist/index.js';

const hog = Number(process.argv[process.argv.indexOf('--hog') + 1]) || 0;
const mesh = await createMesh({ service: 'backend', watch: false, shutdown: false, config: { identity: { mode: 'none' } } });
const server = await mesh.serve((req, res) => {
  req.resume();
  setTimeout(() => res.end('ok\n'), 2);
});
if (hog > 0) {
  // Busy for hog × 10 ms out of every 10 ms.
  setInterval(() => {
    const until = performance.now() + hog * 10;
    while (performance.now() < until);
  }, 10);
}
process.stdout.write(`${server.port}\n`);
process.on('disconnect', () => process.exit(0));
