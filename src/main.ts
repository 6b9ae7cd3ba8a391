#!/usr/bin/env node
import { fstatSync, statSync, writeSync } from 'node:fs';
import { runCli } from './cli.js';

function stopNow(reason: string): never {
  try {
    writeSync(2, `source-digitalocean: ${reason}\n`);
  } catch {
    // stderr is gone as well: the exit code says it.
  }
  process.exit(1);
}

/**
 * A stdout that was closed before we started: Node hands a closed descriptor 1 over to /dev/null, where a
 * whole read would go unseen (spending the token's quota for nothing). A read is the product, so it is
 * refused there; the other commands answer in a line and may be discarded freely.
 */
function stdoutIsDevNull(): boolean {
  try {
    const out = fstatSync(1);
    return out.isCharacterDevice() && out.rdev === statSync('/dev/null').rdev;
  } catch {
    return false;
  }
}

/**
 * A reader that goes away (the platform killed the sync, `read | head -1`) leaves nobody to report to,
 * and whatever the read would still do goes nowhere: stop at once, before another request is made, and
 * say through the exit code (and stderr, the only channel left) that the output was cut short.
 */
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  stopNow(`stdout failed (${error.code ?? error.message}); stopped before the output was complete.`);
});

const argv = process.argv.slice(2);
if (argv[0] === 'read' && stdoutIsDevNull()) stopNow('stdout is closed (or /dev/null): a read would go nowhere; not started.');
process.exitCode = await runCli(argv);
