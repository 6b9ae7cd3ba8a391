#!/usr/bin/env node
import { writeSync } from 'node:fs';
import { runSinger } from './commands/singer.js';

/**
 * tap-digitalocean: the Singer tap (Meltano's `executable`). A reader that goes away leaves nobody to
 * report to: stop at once, before another request is made, and say so on stderr and in the exit code.
 */
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  try {
    writeSync(2, `tap-digitalocean: stdout failed (${error.code ?? error.message}); stopped before the output was complete.\n`);
  } catch {
    // stderr is gone as well: the exit code says it.
  }
  process.exit(1);
});

process.exitCode = await runSinger(process.argv.slice(2));
