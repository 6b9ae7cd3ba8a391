import { readFile, stat } from 'node:fs/promises';

/** A file named on the command line is missing, unreadable, too large or not JSON. */
export class InputFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputFileError';
  }
}

const MAX_BYTES = 64 * 1024 * 1024;

/** The text of an input file, with errors that name the file and what is wrong with it. */
export async function readInputText(path: string, what: string): Promise<string> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new InputFileError(`The ${what} file '${path}' is not a regular file.`);
    if (info.size > MAX_BYTES) throw new InputFileError(`The ${what} file '${path}' is larger than 64 MB; it cannot be a ${what}.`);
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? 'unknown error'})`;
    throw new InputFileError(`The ${what} file '${path}' ${reason}.`);
  }
}

export async function readJsonFile(path: string, what: string): Promise<unknown> {
  const text = await readInputText(path, what);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InputFileError(`The ${what} file '${path}' is not valid JSON.`);
  }
}
