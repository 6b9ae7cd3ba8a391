#!/usr/bin/env node
import { writeSync } from 'node:fs';
import { runCli } from './cli.js';

/**
 * A reader that goes away (the platform killed the sync, `read | head -1`) leaves nobody to report to,
 * and whatever the read would still do goes nowhere: stop at once, before another request is made, and
 * say through the exit code (and stderr, the only channel left) that the output was cut short.
 */
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  try {
    writeSync(2, `source-digitalocean: stdout failed (${error.code ?? error.message}); stopped before the output was complete.\n`);
  } catch {
    // stderr is gone as well: the exit code says it.
  }
  process.exit(1);
});

process.exitCode = await runCli(process.argv.slice(2));
