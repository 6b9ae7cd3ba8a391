/**
 * A hostile DigitalOcean API on loopback: one mode per way a server can hurt a client (endless or huge
 * bodies, pages that never end, redirects, a retry hint of zero, odd bodies). Every mode is bounded: the
 * server answers at most `maxRequests` requests (then drops the connection) and never writes more than
 * `maxBodyBytes` per response, so a connector that fails to defend itself fails the test instead of
 * hanging the machine.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CLI } from './e2e.js';
import { parseLines, type Message } from './protocol.js';

export interface SeenRequest {
  path: string;
  /** Milliseconds since the server started, measured on the server (a lower bound for the client's waits). */
  at: number;
  authorization?: string;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, index: number) => void;

export interface HostileServer {
  url: string;
  requests: SeenRequest[];
  /** Bytes the server managed to write, over all responses. */
  bytesWritten(): number;
  close(): Promise<void>;
}

export interface HostileOptions {
  maxRequests?: number;
  maxBodyBytes?: number;
}

/** Shared by the modes: the most a single response may write (the test's own safety net). */
let bodyLimit = 0;
let written = 0;

export async function startHostile(handler: Handler, options: HostileOptions = {}): Promise<HostileServer> {
  const maxRequests = options.maxRequests ?? 500;
  bodyLimit = options.maxBodyBytes ?? 512 * 1024 * 1024;
  written = 0;
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const started = process.hrtime.bigint();
  const server = createServer((req, res) => {
    const at = Number(process.hrtime.bigint() - started) / 1e6;
    if (requests.length >= maxRequests) {
      req.socket.destroy();
      return;
    }
    requests.push({ path: req.url ?? '', at, authorization: req.headers.authorization });
    handler(req, res, requests.length - 1);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    bytesWritten: () => written,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Writes `chunk` again and again (after `head`) until the client goes away or the safety limit. */
export function pump(res: ServerResponse, head: string, chunk: string, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.write(head);
  let sent = head.length;
  const buffer = Buffer.from(chunk);
  const more = (): void => {
    while (!res.destroyed && sent < bodyLimit) {
      sent += buffer.length;
      written += buffer.length;
      if (!res.write(buffer)) {
        res.once('drain', more);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  res.on('error', () => undefined);
  more();
}

export function json(res: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));
}

export interface MeasuredRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  messages: Message[];
  protocolErrors: string[];
  stderr: string;
  /** Peak resident set of the child (VmHWM from /proc), in MiB; NaN where /proc is not available. */
  peakRssMiB: number;
}

/** The child's peak resident set so far, from /proc/<pid>/status, in MiB. */
function vmHwm(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface MeasuredOptions {
  env?: Record<string, string>;
  /** Close our end of the child's stdout once this many lines have arrived (a `| head -n`). */
  closeStdoutAfterLines?: number;
  /** Kill the child if it is still running after this long (the test then fails on its exit code). */
  killAfterMs?: number;
}

/**
 * Runs the built CLI and samples its peak RSS (VmHWM, which the kernel keeps as a high-water mark, so
 * sampling misses no peak: the last reading before exit is the peak of the whole run).
 */
export function runMeasured(args: string[], options: MeasuredOptions = {}): Promise<MeasuredRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', SOURCE_DIGITALOCEAN_TIME_SCALE: '0.001', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let peak = Number.NaN;
    const sample = (): void => {
      const value = child.pid === undefined ? undefined : vmHwm(child.pid);
      if (value !== undefined) peak = Number.isNaN(peak) ? value : Math.max(peak, value);
    };
    const sampler = setInterval(sample, 10);
    const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 60_000);
    const out: string[] = [];
    const err: string[] = [];
    let lines = 0;
    let closed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (closed) return;
      out.push(chunk);
      lines += chunk.split('\n').length - 1;
      if (options.closeStdoutAfterLines !== undefined && lines >= options.closeStdoutAfterLines) {
        closed = true;
        child.stdout.destroy();
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => err.push(chunk));
    child.on('error', reject);
    // 'exit' rather than 'close': a destroyed stdout must not keep us waiting.
    child.on('exit', (code, signal) => {
      sample();
      clearInterval(sampler);
      clearTimeout(killer);
      let stdout = out.join('');
      if (closed) stdout = stdout.slice(0, stdout.lastIndexOf('\n') + 1);
      const { messages, errors } = parseLines(stdout);
      setImmediate(() => resolve({ code, signal, messages, protocolErrors: errors, stderr: err.join(''), peakRssMiB: peak }));
    });
  });
}
