/**
 * Output conventions: `--json` prints exactly one JSON value on stdout; people get tables and
 * short messages; errors go to stderr with a non-zero exit status.
 */

/** The global flags every command sees. */
export interface Globals {
  json: boolean;
  verbose: boolean;
  org?: string | undefined;
}

/** Prints one JSON value on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints lines for people on stdout. */
export function printLines(...lines: string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** A plain aligned table: no borders, two spaces between columns. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [
    headers,
    ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c)))),
  ];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `2026-11-25T17:00:00.000Z` → `2026-11-25 17:00 UTC`. */
export function when(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '-';
}

/** A spinner on stderr while `work` runs, for people at a terminal only. */
export async function withSpinner<T>(globals: Globals, message: string, work: () => Promise<T>): Promise<T> {
  if (globals.json || !process.stderr.isTTY) return work();
  const { spinner } = await import('@clack/prompts');
  const s = spinner({ output: process.stderr });
  s.start(message);
  try {
    const result = await work();
    s.stop(message.replace(/…$/, ''));
    return result;
  } catch (error) {
    s.error(message.replace(/…$/, ' failed'));
    throw error;
  }
}
