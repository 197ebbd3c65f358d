/**
 * `oxygen waterfalls ...`: provider steps tried in order per row until one returns a non-empty
 * value for the output field; a waterfall column (`oxygen columns add <table> <column>
 * --waterfall <name>`) runs one over a table.
 */

import { ValidationError } from '@oxygen/core';
import { parseStep, type WaterfallInfo, type WaterfallStep } from '@oxygen/runtime';
import { parseJsonArg } from '../context.js';
import { type Globals, printJson, printLines, table, when } from '../output.js';
import { quote, withLocalOrg } from './tables.js';

const EXAMPLE = `oxygen waterfalls create crm-record --step attio:record.query --step hubspot:contact.search --output results.0.id --step-map '1={"object":"people","filter":{"email_addresses":"{{row.email}}"}}' --step-map '2={"filters":[{"property":"email","operator":"EQ","value":"{{row.email}}"}]}'`;

/** Parses `--step-map <n>=<json>` into step number and map. */
async function parseStepMap(
  text: string,
  steps: number,
): Promise<{ index: number; map: Record<string, unknown> }> {
  const m = /^\s*(\d+)\s*=(.*)$/s.exec(text);
  const index = m ? Number(m[1]) : Number.NaN;
  if (!m || index < 1 || index > steps) {
    throw new ValidationError(
      `"--step-map ${text.slice(0, 40)}" must be <step number>=<json>, the step numbered 1 to ${steps} in --step order.`,
      { field: 'step-map', hint: `For example: --step-map '1={"domain":"{{row.domain}}"}'` },
    );
  }
  const map = await parseJsonArg(`--step-map ${index}`, m[2]!.trim());
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new ValidationError(
      `--step-map ${index} must be a JSON object of input field to template or value.`,
      {
        field: 'step-map',
      },
    );
  }
  return { index: index - 1, map: map as Record<string, unknown> };
}

/** `oxygen waterfalls create <name> --step <integration>:<action> ... --output <path> [--step-map <n>=<json>]...` */
export async function create(
  globals: Globals,
  name: string,
  options: { step?: string[]; output?: string; stepMap?: string[] },
): Promise<void> {
  if (!options.step?.length) {
    throw new ValidationError(
      'A waterfall needs at least one --step <integration>:<action>, tried in order.',
      {
        field: 'step',
        hint: `For example: ${EXAMPLE}`,
      },
    );
  }
  const steps: WaterfallStep[] = options.step.map(parseStep);
  if (!options.output?.trim()) {
    throw new ValidationError(
      '--output <path> is required: the output field (a dotted path, e.g. email or results.0.id) a step must return for the waterfall to stop there.',
      { field: 'output', hint: `For example: ${EXAMPLE}` },
    );
  }
  for (const text of options.stepMap ?? []) {
    const { index, map } = await parseStepMap(text, steps.length);
    if (steps[index]!.map) {
      throw new ValidationError(`--step-map ${index + 1} is given twice.`, { field: 'step-map' });
    }
    steps[index] = { ...steps[index]!, map };
  }
  await withLocalOrg(globals, 'waterfalls create', async (org) => {
    const wf = await org.waterfalls.create(name, { steps, output: options.output! });
    if (globals.json) return printJson(wf);
    printLines(
      `Created waterfall ${wf.name} (${wf.id}): ${describeSteps(wf)}; it stops at the first step returning ${wf.output}.`,
      `Use it in a table: oxygen columns add <table> <column> --waterfall ${quote(wf.name)}${wf.steps.every((s) => s.map) ? '' : ` --map '{"field":"{{row.column}}"}'   # the map for steps without their own`}`,
    );
  });
}

function describeSteps(wf: WaterfallInfo): string {
  return wf.steps.map((s, i) => `${i + 1}. ${s.integration} ${s.action}`).join(', ');
}

/** `oxygen waterfalls list` */
export async function list(globals: Globals): Promise<void> {
  await withLocalOrg(globals, 'waterfalls list', async (org) => {
    const waterfalls = await org.waterfalls.list();
    if (globals.json) return printJson(waterfalls);
    if (waterfalls.length === 0) {
      return printLines(`No waterfalls in organization ${org.organizationId}. Create one: ${EXAMPLE}`);
    }
    printLines(
      table(
        ['NAME', 'ID', 'STEPS', 'OUTPUT', 'CREATED'],
        waterfalls.map((w) => [w.name, w.id, describeSteps(w), w.output, when(w.created_at)]),
      ),
    );
  });
}

/** `oxygen waterfalls remove <name>` */
export async function remove(globals: Globals, name: string): Promise<void> {
  await withLocalOrg(globals, 'waterfalls remove', async (org) => {
    const wf = await org.waterfalls.remove(name);
    if (globals.json) return printJson(wf);
    printLines(`Removed waterfall ${wf.name} (${wf.id}).`);
  });
}
