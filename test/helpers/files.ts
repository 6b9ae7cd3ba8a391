import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes JSON (or raw text) inputs to a fresh temporary directory; returns their paths. */
export function writeInputs(files: Record<string, unknown>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'source-do-test-'));
  const paths: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    paths[name] = path;
  }
  return paths;
}

export function catalogFor(streams: string[], mode: 'full_refresh' | 'incremental' = 'full_refresh') {
  return {
    streams: streams.map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
      sync_mode: mode,
      destination_sync_mode: 'append',
    })),
  };
}
