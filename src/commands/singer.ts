/**
 * `tap-digitalocean` (and `source-digitalocean singer …`): the Singer SDK's command line on the one
 * engine. Singer inputs are mapped to the Airbyte ones at this edge (src/singer/), and the commands of
 * Airbyte mode run unchanged with the Singer writer: a second protocol, never a second engine.
 */
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig, type SourceConfig } from '../config.js';
import { internalMessageOf } from '../http/errors.js';
import { InputFileError, readInputText, readJsonFile } from '../input-files.js';
import type { AirbyteStream } from '../protocol/messages.js';
import { SingerWriter, type SingerStreamPlan } from '../protocol/singer-writer.js';
import { clip } from '../protocol/writer.js';
import { about, formatAbout, TAP_NAME } from '../singer/about.js';
import { selectAll, selectedSchema, selectFromCatalog, singerCatalog, type SingerSelection } from '../singer/catalog.js';
import { loadSingerConfig } from '../singer/config.js';
import { parseSingerState, SingerBookmarks } from '../singer/state.js';
import { packageVersion } from '../spec.js';
import type { Logger } from '../state/input.js';
import { StateFileError } from '../state/input.js';
import { cursorOf } from '../streams/freshness.js';
import { STREAMS } from '../streams/index.js';
import { checkCommand } from './check.js';
import { discoverCommand } from './discover.js';
import { readCommand } from './read.js';

export const SINGER_USAGE =
  'Usage: tap-digitalocean --config FILE|ENV [--config …] [--discover | --check | --catalog FILE] [--state FILE] | --about [--format json|markdown] | --version';

class UsageError extends Error {
  constructor(message: string) {
    super(`${message}. ${SINGER_USAGE}`);
    this.name = 'UsageError';
  }
}

export interface SingerIo {
  out: Writable;
  err: Writable;
  env: NodeJS.ProcessEnv;
}

interface SingerArgs {
  configs: string[];
  discover: boolean;
  check: boolean;
  about: boolean;
  format?: string;
  version: boolean;
  catalog?: string;
  state?: string;
}

function parse(argv: readonly string[]): SingerArgs {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', multiple: true },
        discover: { type: 'boolean' },
        check: { type: 'boolean' },
        about: { type: 'boolean' },
        format: { type: 'string' },
        version: { type: 'boolean' },
        catalog: { type: 'string' },
        properties: { type: 'string' },
        state: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError(clip(error instanceof Error ? error.message : String(error), 300));
  }
  if (values.discover && values.check) throw new UsageError('--discover and --check cannot be combined');
  if (values.catalog !== undefined && values.properties !== undefined) throw new UsageError('--catalog and --properties are the same option; give one');
  return {
    configs: (values.config as string[] | undefined) ?? [],
    discover: values.discover === true,
    check: values.check === true,
    about: values.about === true,
    format: values.format as string | undefined,
    version: values.version === true,
    catalog: (values.catalog ?? values.properties) as string | undefined,
    state: values.state as string | undefined,
  };
}

/** A full table resumed mid-way: part of its rows were sent by the interrupted run, under its version. */
function resumedFullTable(state: Record<string, unknown> | undefined): boolean {
  return Array.isArray(state?.partitions_done) && state.partitions_done.length > 0;
}

async function sync(args: SingerArgs, config: SourceConfig, activateVersion: boolean, writer: SingerWriter, plans: Map<string, SingerStreamPlan>, setBookmarks: (b: SingerBookmarks) => void): Promise<number> {
  const log: Logger = (level, message) => writer.log(level, message);
  const selection: SingerSelection[] = args.catalog
    ? selectFromCatalog(await readJsonFile(args.catalog, 'catalog'), log)
    : // No catalog: every stream this config can read (the Spaces buckets need a Spaces key).
      selectAll(STREAMS.filter((def) => !def.transport || config.spaces));
  let input: ReturnType<typeof parseSingerState>;
  try {
    input = parseSingerState(args.state === undefined ? undefined : await readInputText(args.state, 'state'), log);
  } catch (error) {
    if (error instanceof StateFileError) throw new StateFileError(`${error.message} (state file '${clip(String(args.state), 300)}')`);
    throw error;
  }
  const bookmarks = new SingerBookmarks(input.streams, input.raw);
  setBookmarks(bookmarks);
  const version = Date.now();
  for (const { def, mode, dropped } of selection) {
    const state = input.streams.get(def.name);
    const activate = activateVersion && mode === 'full_refresh';
    if (activate && resumedFullTable(state)) {
      log('INFO', `Stream '${def.name}' resumes an interrupted full table: ACTIVATE_VERSION is left to its next complete sync, so that the rows sent before the interruption stay.`);
    }
    const bookmark = mode === 'incremental' ? cursorOf(def)?.field : undefined;
    plans.set(def.name, {
      schema: selectedSchema({ def, mode, dropped }) as Record<string, unknown>,
      keyProperties: def.primaryKey,
      ...(bookmark ? { bookmarkProperties: [bookmark] } : {}),
      dropped,
      ...(activate && !resumedFullTable(state) ? { version } : {}),
    });
  }
  await writer.initialState(bookmarks.value());
  if (selection.length === 0) {
    log('WARN', 'The catalog selects no stream this tap has; nothing is read. Check the select rules (meltano select tap-digitalocean --list).');
    return 0;
  }
  const catalog = {
    streams: selection.map(({ def, mode }) => ({
      stream: { name: def.name, json_schema: {}, supported_sync_modes: cursorOf(def) ? ['full_refresh', 'incremental'] : ['full_refresh'] },
      sync_mode: mode,
      destination_sync_mode: 'append',
    })),
  };
  const states = selection
    .filter(({ def }) => input.streams.has(def.name))
    .map(({ def }) => ({ type: 'STREAM', stream: { stream_descriptor: { name: def.name }, stream_state: input.streams.get(def.name) } }));
  return readCommand(config, catalog, JSON.stringify(states), writer);
}

async function dispatch(args: SingerArgs, io: SingerIo, writer: SingerWriter, plans: Map<string, SingerStreamPlan>, setBookmarks: (b: SingerBookmarks) => void): Promise<number> {
  if (args.version) {
    io.out.write(`${TAP_NAME} v${packageVersion()}\n`);
    return 0;
  }
  if (args.about) {
    // --config may come with --about (Meltano passes it): it is not needed, and not read.
    const format = args.format ?? 'text';
    if (!['text', 'json', 'markdown'].includes(format)) throw new UsageError(`Unknown --format '${clip(format, 40)}'; use json or markdown`);
    io.out.write(`${formatAbout(about(), format)}\n`);
    return 0;
  }
  if (args.format !== undefined) throw new UsageError('--format goes with --about');
  if (args.configs.length === 0) throw new UsageError('--config is required');
  const { raw, options } = await loadSingerConfig(args.configs, io.env);
  const config = parseConfig(raw);
  writer.addSecret(config.apiToken);
  writer.addSecret(config.spaces?.secretAccessKey);
  if (args.discover) return discoverCommand(config, writer);
  if (args.check) {
    const code = await checkCommand(config, writer);
    return code === 0 && writer.verdict === 'SUCCEEDED' ? 0 : 1;
  }
  return sync(args, config, options.activateVersion, writer, plans, setBookmarks);
}

/**
 * Runs the tap and returns the exit code. stdout receives only Singer messages (or the --discover
 * catalog, the --about text, the version); every failure is a stderr line and a non-zero exit.
 */
export async function runSinger(argv: readonly string[], io: SingerIo = { out: process.stdout, err: process.stderr, env: process.env }): Promise<number> {
  const plans = new Map<string, SingerStreamPlan>();
  let bookmarks = new SingerBookmarks(new Map());
  const writer = new SingerWriter(
    {
      plan: (stream) => plans.get(stream),
      state: (stream, state) => bookmarks.update(stream, state),
      catalog: (streams: readonly AirbyteStream[]) => singerCatalog(streams),
    },
    io.out,
    io.err,
  );
  let code: number;
  try {
    code = await dispatch(parse(argv), io, writer, plans, (b) => (bookmarks = b));
  } catch (error) {
    const known = error instanceof UsageError || error instanceof ConfigError || error instanceof InputFileError || error instanceof StateFileError;
    const message = error instanceof Error ? error.message : String(error);
    writer.error(known ? message : `The tap failed unexpectedly: ${message}`, known ? 'config_error' : 'system_error', {
      internal: internalMessageOf(error),
      ...(!known && error instanceof Error ? { stack: error.stack } : {}),
    });
    code = 1;
  }
  await writer.flush();
  return code;
}
