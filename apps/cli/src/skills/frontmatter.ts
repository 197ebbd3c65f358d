/**
 * The YAML front matter of a `SKILL.md` (Agent Skills format), read and rewritten without a YAML
 * dependency: only top-level keys are interpreted (`name`, `description`); every other line is
 * kept as the author wrote it.
 */

/** A `SKILL.md` split into its front matter lines and its Markdown body. */
export interface SkillDocument {
  /** The lines between the `---` fences (none when the text had no front matter). */
  front: string[];
  /** Everything after the closing fence. */
  body: string;
  /** Whether the text had front matter at all. */
  hasFrontMatter: boolean;
}

const FENCE = /^---[ \t]*$/;
const KEY = /^([A-Za-z0-9_-]+)[ \t]*:(.*)$/;

/** Splits `text` (any line endings, optional BOM) into front matter and body. */
export function splitSkill(text: string): SkillDocument {
  const lines = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n');
  if (FENCE.test(lines[0] ?? '')) {
    const end = lines.findIndex((l, i) => i > 0 && FENCE.test(l));
    if (end > 0) {
      return { front: lines.slice(1, end), body: lines.slice(end + 1).join('\n'), hasFrontMatter: true };
    }
  }
  return { front: [], body: lines.join('\n'), hasFrontMatter: false };
}

/** The line range `[start, end)` of top-level key `key` and its continuation lines, if present. */
function keyRange(front: string[], key: string): [number, number] | undefined {
  const start = front.findIndex((l) => KEY.exec(l)?.[1] === key);
  if (start < 0) return undefined;
  let end = start + 1;
  // Continuation: indented lines and blank lines up to the next top-level entry.
  while (end < front.length && (/^[ \t]/.test(front[end]!) || front[end]!.trim() === '')) end++;
  // Trailing blank lines belong to nobody.
  while (end > start + 1 && front[end - 1]!.trim() === '') end--;
  return [start, end];
}

/** The value of top-level key `key`: plain, quoted, folded (`>`) or literal (`|`) scalars. */
export function frontValue(front: string[], key: string): string | undefined {
  const range = keyRange(front, key);
  if (!range) return undefined;
  const [start, end] = range;
  const first = (KEY.exec(front[start]!)?.[2] ?? '').trim();
  const rest = front.slice(start + 1, end);
  if (/^[|>][+-]?\d*$/.test(first)) {
    const indent = Math.min(...rest.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length));
    const block = rest.map((l) => l.slice(Number.isFinite(indent) ? indent : 0));
    const text = first.startsWith('|')
      ? block.join('\n')
      : block.reduce(
          (out, l) => (l === '' ? `${out}\n` : out.endsWith('\n') || !out ? out + l : `${out} ${l}`),
          '',
        );
    return text.trim();
  }
  const joined = [first, ...rest.map((l) => l.trim())].filter(Boolean).join(' ');
  if (joined.startsWith('"')) {
    try {
      return JSON.parse(joined) as string;
    } catch {
      return joined.replace(/^"|"$/g, '');
    }
  }
  if (joined.startsWith("'")) return joined.replace(/^'|'$/g, '').replaceAll("''", "'");
  // In a plain scalar, " #" starts a comment.
  return joined.replace(/\s+#.*$/, '').trim();
}

/** `key: value` as one YAML line, double-quoted when a plain scalar would be misread. */
export function yamlLine(key: string, value: string): string {
  const oneLine = value.replace(/\s+/g, ' ').trim();
  const plain =
    oneLine !== '' &&
    !/^[-?:,[\]{}#&*!|>'"%@`\s]/.test(oneLine) &&
    !/: |\s#|:$/.test(oneLine) &&
    !/^(true|false|yes|no|on|off|null|~|[-+]?[\d.]+(e[-+]?\d+)?)$/i.test(oneLine);
  return `${key}: ${plain ? oneLine : JSON.stringify(oneLine)}`;
}

/**
 * Sets top-level key `key` to `value`, replacing the existing entry (with its continuation lines)
 * in place, or inserting it at `position` when absent.
 */
export function setFrontValue(
  front: string[],
  key: string,
  value: string,
  position = front.length,
): string[] {
  const out = [...front];
  const range = keyRange(out, key);
  if (range) out.splice(range[0], range[1] - range[0], yamlLine(key, value));
  else out.splice(Math.min(position, out.length), 0, yamlLine(key, value));
  return out;
}

/** Joins front matter and body back into `SKILL.md` text ending in exactly one newline. */
export function joinSkill(front: string[], body: string): string {
  const lines = [...front];
  while (lines.length > 0 && lines[0]!.trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const head = ['---', ...lines, '---'].join('\n');
  const rest = body.replace(/^\n+/, '').replace(/\s+$/, '');
  return `${head}\n\n${rest}\n`;
}

/**
 * A skill name the Agent Skills standard accepts (lowercase letters, digits, single dashes, at most
 * 64 characters, no dash at either end) made from `text`.
 */
export function skillName(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

/** A glob (`*` any run of characters, `?` one character) as an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  const source = [...glob]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}
