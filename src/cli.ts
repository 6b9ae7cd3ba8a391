import yargs from 'yargs';
import { checkCommand } from './commands/check.js';
import { discoverCommand } from './commands/discover.js';
import { readCommand } from './commands/read.js';
import { runSinger } from './commands/singer.js';
import { specCommand } from './commands/spec.js';
import { ConfigError, parseConfig, type SourceConfig } from './config.js';
import { internalMessageOf } from './http/errors.js';
import { InputFileError, readInputText, readJsonFile } from './input-files.js';
import type { FailureType } from './protocol/messages.js';
import { clip, ProtocolWriter } from './protocol/writer.js';
import { packageVersion } from './spec.js';
import { StateFileError } from './state/input.js';

class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const USAGE = 'Usage: source-digitalocean spec | check --config F | discover --config F | read --config F --catalog F [--state F]';

interface Args {
  command: string;
  config?: string;
  catalog?: string;
  state?: string;
}

function parseArgs(argv: readonly string[]): Args {
  let parsed: { _: (string | number)[]; config?: unknown; catalog?: unknown; state?: unknown };
  try {
    parsed = yargs([...argv])
      .scriptName('source-digitalocean')
      .exitProcess(false)
      .help(false)
      .version(false)
      .strict()
      .command('spec', 'the connector specification')
      .command('check', 'verify the config and the token', (y) => y.option('config', { type: 'string', demandOption: true }))
      .command('discover', 'list the streams', (y) => y.option('config', { type: 'string', demandOption: true }))
      .command('read', 'read records', (y) =>
        y
          .option('config', { type: 'string', demandOption: true })
          .option('catalog', { type: 'string', demandOption: true })
          .option('state', { type: 'string' }),
      )
      .option('debug', { type: 'boolean' })
      .demandCommand(1, 1)
      // With exitProcess(false) yargs would otherwise print usage and carry on with the command.
      .fail((message: string | null | undefined, error: Error | undefined) => {
        throw new UsageError(message || error?.message || 'invalid arguments');
      })
      .parseSync() as typeof parsed;
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${clip(text, 300)}. ${USAGE}`);
  }
  const command = String(parsed._[0]);
  if (parsed._.length > 1) throw new UsageError(`Unexpected argument '${clip(String(parsed._[1]), 200)}'. ${USAGE}`);
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return { command, config: str(parsed.config), catalog: str(parsed.catalog), state: str(parsed.state) };
}

async function loadConfig(path: string): Promise<SourceConfig> {
  return parseConfig(await readJsonFile(path, 'config'));
}

function failureTypeOf(error: unknown): FailureType {
  if (error instanceof UsageError || error instanceof InputFileError || error instanceof ConfigError || error instanceof StateFileError) {
    return 'config_error';
  }
  return 'system_error';
}

async function dispatch(args: Args, writer: ProtocolWriter): Promise<number> {
  switch (args.command) {
    case 'spec':
      return specCommand(writer);
    case 'check': {
      let config: SourceConfig;
      try {
        config = await loadConfig(args.config as string);
      } catch (error) {
        // An invalid config is an answer to check, not a crash: FAILED with the reason, exit 0.
        if (!(error instanceof ConfigError)) throw error;
        await writer.emit({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message: error.message } });
        return 0;
      }
      return checkCommand(config, writer);
    }
    case 'discover':
      return discoverCommand(await loadConfig(args.config as string), writer);
    case 'read': {
      const config = await loadConfig(args.config as string);
      const catalog = await readJsonFile(args.catalog as string, 'catalog');
      const state = args.state === undefined ? undefined : await readInputText(args.state, 'state');
      try {
        return await readCommand(config, catalog, state, writer);
      } catch (error) {
        if (error instanceof StateFileError) throw new StateFileError(`${error.message} (state file '${clip(String(args.state), 300)}')`);
        throw error;
      }
    }
    default:
      throw new UsageError(`Unknown command '${clip(args.command, 200)}'. ${USAGE}`);
  }
}

/**
 * Runs one command and returns the exit code. Whatever happens, stdout receives only protocol messages:
 * a failure becomes one TRACE ERROR whose message a user can act on.
 */
export async function runCli(argv: readonly string[], writer = new ProtocolWriter()): Promise<number> {
  // `source-digitalocean singer …` is the tap-digitalocean command: the Singer protocol from here on.
  if (argv[0] === 'singer') return runSinger(argv.slice(1));
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  let code: number;
  try {
    code = await dispatch(parseArgs(argv), writer);
  } catch (error) {
    const type = failureTypeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    await writer.error(
      type === 'system_error' ? `The connector failed unexpectedly: ${message}` : message,
      type,
      type === 'system_error' && error instanceof Error ? { internal: internalMessageOf(error), stack: error.stack } : { internal: internalMessageOf(error) },
    );
    code = 1;
  }
  await writer.flush();
  return code;
}
