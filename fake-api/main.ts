#!/usr/bin/env node
/** The fake DigitalOcean API as a process: runs until SIGTERM or SIGINT. See cli.ts for the flags. */
import { runCli } from './cli.js';

try {
  const api = await runCli(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
  if (api) {
    const stop = (): void => {
      api.close().then(() => process.exit(0), () => process.exit(1));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  }
} catch (err) {
  process.stderr.write(`fake-api: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
