/**
 * Streaming CSV in and out of tables (csv-parse / csv-stringify, loaded only when used): a file
 * of any size is read a record at a time and stored in batches, never held whole.
 *
 * @module
 */

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { NotFoundError, OxygenError, ValidationError } from '@oxygen/core';

/** Where CSV comes from: a file path, a Node stream, or any async iterable of text or bytes. */
export type CsvSource = string | NodeJS.ReadableStream | AsyncIterable<string | Uint8Array>;

/** One parsed record with the line it ended on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** Opens a CSV source as a stream. */
async function open(source: CsvSource): Promise<Readable> {
  if (typeof source === 'string') {
    const info = await stat(source).catch(() => undefined);
    if (!info?.isFile()) {
      throw new NotFoundError(`No CSV file at ${source}.`, { field: 'csv', hint: 'Check the path.' });
    }
    return createReadStream(source);
  }
  if (source instanceof Readable) return source;
  return Readable.from(source as AsyncIterable<string | Uint8Array>);
}

/**
 * The records of a CSV source, one at a time (a UTF-8 BOM is dropped, empty lines skipped).
 *
 * @throws ValidationError naming the line for malformed CSV (an unclosed quote, ...).
 */
export async function* readCsv(
  source: CsvSource,
  options: { delimiter?: string | undefined } = {},
): AsyncGenerator<CsvRecord> {
  const input = await open(source);
  const { parse } = await import('csv-parse');
  const parser = input.pipe(
    parse({
      bom: true,
      delimiter: options.delimiter ?? ',',
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }),
  );
  input.on('error', (error) => parser.destroy(error));
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { fields: item.record, line: item.info.lines };
    }
  } catch (error) {
    if (OxygenError.isInstance(error)) throw error;
    const e = error as { code?: string; message?: string; lines?: number };
    if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
      throw new ValidationError(`The CSV is malformed${e.lines ? ` at line ${e.lines}` : ''}: ${e.message}`, {
        field: 'csv',
        hint: 'Fix the file (quotes must be closed and doubled inside quoted fields) and import again.',
      });
    }
    throw error;
  } finally {
    input.unpipe(parser);
    if (!input.destroyed && typeof (input as Readable).destroy === 'function') (input as Readable).destroy();
  }
}

/** CSV text of one field value: strings as they are, JSON for objects, empty for nothing. */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * Streams records (header first) as CSV text.
 *
 * @example
 * ```ts
 * (await writeCsv(records())).pipe(process.stdout);
 * ```
 */
export async function writeCsv(records: AsyncIterable<string[]>): Promise<Readable> {
  const { stringify } = await import('csv-stringify');
  const out = stringify();
  // pipeline, not pipe: a failure reading the rows must reach whoever reads the CSV.
  pipeline(Readable.from(records), out, () => {});
  return out;
}
