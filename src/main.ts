#!/usr/bin/env node
import { runCli } from './cli.js';

// A reader that goes away (the platform killed the sync, `| head`) leaves nobody to report to.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  process.exit(error.code === 'EPIPE' ? 0 : 1);
});

process.exitCode = await runCli(process.argv.slice(2));
