import { createInterface } from 'node:readline';

/** Raised when an answer is needed and there is no terminal to ask on (a usage error). */
export class NoTerminal extends Error {}

/** Asks on the terminal (stderr, so stdout stays clean for --json); hidden input for secrets. */
export async function ask(question: string, o: { hidden?: boolean } = {}): Promise<string> {
  if (!process.stdin.isTTY) throw new NoTerminal(`${question.replace(/:\s*$/, '')} is needed and there is no terminal to ask on: pass it as an option (see --help).`);
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (o.hidden === true) {
    // Echo nothing while the secret is typed.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => { if (s.includes(question)) process.stderr.write(s); };
  }
  try {
    return await new Promise<string>((resolve) => rl.question(question, (a) => resolve(a.trim())));
  } finally {
    if (o.hidden === true) process.stderr.write('\n');
    rl.close();
  }
}

/** Reads all of stdin (for --password-stdin). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** A one-line spinner on an interactive terminal; silent otherwise. */
export function spinner(text: string): { stop(final?: string): void } {
  if (!process.stderr.isTTY) return { stop: () => undefined };
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let i = 0;
  const t = setInterval(() => { process.stderr.write(`\r${frames[i++ % frames.length] ?? ''} ${text}`); }, 100);
  return { stop: (final) => { clearInterval(t); process.stderr.write(`\r${' '.repeat(text.length + 2)}\r${final !== undefined ? `${final}\n` : ''}`); } };
}
