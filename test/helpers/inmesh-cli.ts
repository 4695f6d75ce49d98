import { main } from '../../src/cli/main.js';

// The `inmesh` command from source, for tests that run it as its own process (bin/inmesh.js runs dist/).
process.exitCode = await main(process.argv.slice(2));
