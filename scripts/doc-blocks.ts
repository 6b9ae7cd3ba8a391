/**
 * The fenced code blocks of the user documentation (README.md, docs/source-digitalocean.md), for the
 * tests that run or check them: test/docs.test.ts, test/package.test.ts, and scripts/test-image.sh,
 * which runs the Docker blocks through podman:
 *
 *   node dist/scripts/doc-blocks.js <file> <heading> <lang> [<regexp>]   # prints the one matching block
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/paths.js';

export const USER_DOCS = ['README.md', 'docs/source-digitalocean.md'] as const;

export interface DocBlock {
  /** The file, relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's info string: sh, bash, json, yaml, python… */
  lang: string;
  /** The block's text, de-indented as Markdown renders it, ending with a newline. */
  text: string;
  /** The nearest heading above the block. */
  heading: string;
}

export const readDoc = (file: string): string => readFileSync(join(packageRoot(), file), 'utf8');

/** Every fenced code block of a Markdown file (fences may be indented, inside list items). */
export function docBlocks(file: string, text = readDoc(file)): DocBlock[] {
  const blocks: DocBlock[] = [];
  const lines = text.split('\n');
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const h = /^#{1,6}\s+(.*)$/.exec(lines[i]);
    if (h) heading = h[1].trim();
    const open = /^(\s*)(```+)\s*([\w-]*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    const close = new RegExp(`^\\s*${fence}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !close.test(lines[j]); j++) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
    }
    blocks.push({ file, line: i + 1, lang, text: `${body.join('\n')}\n`, heading });
    i = j;
  }
  return blocks;
}

export const allDocBlocks = (): DocBlock[] => USER_DOCS.flatMap((f) => docBlocks(f));

/** The one block of `lang` under `heading` in `file` whose text matches `pattern`; throws otherwise. */
export function findBlock(file: string, heading: string, lang: string, pattern: RegExp = /./): DocBlock {
  const found = docBlocks(file).filter((b) => b.heading === heading && b.lang === lang && pattern.test(b.text));
  if (found.length !== 1) throw new Error(`${file}: expected one ${lang} block under "${heading}" matching ${pattern}, found ${found.length}`);
  return found[0];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, heading, lang, pattern] = process.argv.slice(2);
  if (!file || !heading || !lang) {
    process.stderr.write('usage: doc-blocks <file> <heading> <lang> [<regexp>]\n');
    process.exit(2);
  }
  process.stdout.write(findBlock(file, heading, lang, pattern ? new RegExp(pattern) : undefined).text);
}
