// Runs one nginx and stops it when the benchmark goes away, even if the benchmark is killed
// outright (SIGKILL): Node children notice the closed IPC channel, nginx does not. Sends
// { pid } of nginx once spawned; SIGTERM to this process stops nginx and then this process.
import { spawn } from 'node:child_process';

const nginx = spawn(process.argv[2], process.argv.slice(3), { stdio: ['ignore', 'ignore', 'inherit'] });
const stopNginx = () => {
  if (nginx.exitCode === null && nginx.signalCode === null) nginx.kill('SIGTERM');
};
nginx.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
nginx.once('error', (err) => {
  process.send?.({ error: String(err) });
  process.exit(1);
});
process.on('disconnect', stopNginx);
process.on('SIGTERM', stopNginx);
process.on('SIGINT', stopNginx);
process.send({ pid: nginx.pid });
