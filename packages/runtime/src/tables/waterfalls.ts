/**
 * Waterfalls (`runtime.org(id).waterfalls`, `oxygen waterfalls ...`): ordered provider steps tried
 * per row until one returns a non-empty result for the requested output, for fallback across
 * integrations. A waterfall column runs one over a table (see `OrgColumns.add`).
 *
 * @module
 */

import { ConflictError, NotFoundError, ValidationError } from '@oxygen/core';
import type { Selectable } from 'kysely';
import { newId } from '../store/ids.js';
import type { WaterfallsTable } from '../store/types.js';
import type { TablesHost } from './host.js';
import { checkName, now, parseJson, type WaterfallColumnStored } from './records.js';
import { resolveStep } from './resolve.js';
import { checkMap, checkOutputPath } from './template.js';
import type { WaterfallInfo, WaterfallSpec, WaterfallStep } from './types.js';

/** Most steps a waterfall may have. */
export const MAX_WATERFALL_STEPS = 10;

type StoredStep = WaterfallStep & { provider: string };

function toInfo(row: Selectable<WaterfallsTable>): WaterfallInfo {
  return {
    id: row.id,
    organization_id: row.organization_id,
    name: row.name,
    steps: parseJson<StoredStep[]>(row.steps, []),
    output: row.output,
    created_at: row.created_at,
  };
}

/**
 * The organization's waterfall by id (`wf_...`) or name.
 *
 * @throws NotFoundError when there is none.
 */
export async function loadWaterfall(host: TablesHost, ref: string): Promise<WaterfallInfo> {
  let query = host.store.db
    .selectFrom('waterfalls')
    .selectAll()
    .where('organization_id', '=', host.organizationId);
  query = ref.startsWith('wf_') ? query.where('id', '=', ref) : query.where('name', '=', ref.trim());
  const row = await query.executeTakeFirst();
  if (!row) {
    throw new NotFoundError(`No waterfall "${ref}" in organization ${host.organizationId}.`, {
      field: 'waterfall',
      hint: 'Run `oxygen waterfalls list`, or create one with `oxygen waterfalls create <name> --step <integration>:<action> ...`.',
    });
  }
  return toInfo(row);
}

/**
 * Parses a `--step <integration>:<action>` argument.
 *
 * @example
 * ```ts
 * parseStep('hubspot:contact.get'); // { integration: 'hubspot', action: 'contact.get' }
 * ```
 */
export function parseStep(text: string): WaterfallStep {
  const i = text.indexOf(':');
  const integration = i > 0 ? text.slice(0, i).trim() : '';
  const action = i > 0 ? text.slice(i + 1).trim() : '';
  if (!integration || !action) {
    throw new ValidationError(`"${text}" is not a step; write <integration>:<action>.`, {
      field: 'step',
      hint: 'For example --step prospeo:email.find --step hunter:email.find.',
    });
  }
  return { integration, action };
}

/** One organization's waterfalls. Get it with `runtime.org(id).waterfalls`. */
export class OrgWaterfalls {
  /** @internal */
  constructor(private readonly host: TablesHost) {}

  /** The organization every call is scoped to. */
  get organizationId(): string {
    return this.host.organizationId;
  }

  /**
   * Creates a waterfall: steps tried in order per row until one returns a non-empty `output`
   * (failures and empty results fall through). Each step's integration and action are checked
   * now, its map (when given) against the action's input schema, and `output` against each
   * action's output schema.
   *
   * @throws ValidationError naming the step and field at fault; NotFoundError for an unknown
   * integration or action; ConflictError when the name is taken.
   *
   * @example
   * ```ts
   * await org.waterfalls.create('work-email', {
   *   output: 'email',
   *   steps: [
   *     { integration: 'prospector', action: 'email.find' },
   *     { integration: 'rolodex', action: 'email.find', map: { domain: '{{row.company_domain}}', name: '{{row.name}}' } },
   *   ],
   * });
   * ```
   */
  async create(name: string, spec: WaterfallSpec): Promise<WaterfallInfo> {
    const wfName = checkName('waterfall', name);
    if (!Array.isArray(spec?.steps) || spec.steps.length === 0) {
      throw new ValidationError('A waterfall needs at least one step.', {
        field: 'steps',
        hint: 'Give steps as <integration>:<action>, tried in order.',
      });
    }
    if (spec.steps.length > MAX_WATERFALL_STEPS) {
      throw new ValidationError(`A waterfall has at most ${MAX_WATERFALL_STEPS} steps.`, { field: 'steps' });
    }
    if (typeof spec.output !== 'string' || !spec.output.trim()) {
      throw new ValidationError('A waterfall needs the output field a step must return (e.g. "email").', {
        field: 'output',
      });
    }
    const output = spec.output.trim();
    const steps: StoredStep[] = [];
    for (const [i, step] of spec.steps.entries()) {
      const where = `step ${i + 1} (${step?.integration}:${step?.action})`;
      if (typeof step?.integration !== 'string' || typeof step.action !== 'string') {
        throw new ValidationError(`Waterfall ${where} needs an integration and an action.`, {
          field: `steps.${i}`,
        });
      }
      const resolved = await resolveStep(this.host, step.integration, step.action, `waterfall ${where}`);
      checkOutputPath(output, resolved.outputSchema, `${resolved.provider.name} ${step.action}`, 'output');
      if (step.map !== undefined)
        checkMap(step.map, resolved.action, resolved.inputSchema, undefined, `waterfall ${where}`);
      steps.push({
        integration: step.integration,
        provider: resolved.provider.id,
        action: step.action,
        ...(step.map !== undefined ? { map: step.map } : {}),
      });
    }
    await this.host.store.organizations.ensure(this.organizationId);
    const row = {
      id: newId('wf'),
      organization_id: this.organizationId,
      name: wfName,
      steps: JSON.stringify(steps),
      output,
      created_at: now(),
    };
    try {
      await this.host.store.db.insertInto('waterfalls').values(row).execute();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new ConflictError(`Organization ${this.organizationId} already has a waterfall "${wfName}".`, {
          hint: 'Pick another name, or remove the existing one first.',
          cause: error,
        });
      }
      throw error;
    }
    return toInfo(row);
  }

  /** The organization's waterfalls, by name. */
  async list(): Promise<WaterfallInfo[]> {
    const rows = await this.host.store.db
      .selectFrom('waterfalls')
      .selectAll()
      .where('organization_id', '=', this.organizationId)
      .orderBy('name')
      .execute();
    return rows.map(toInfo);
  }

  /**
   * One waterfall by name or id.
   *
   * @throws NotFoundError when there is none.
   */
  get(ref: string): Promise<WaterfallInfo> {
    return loadWaterfall(this.host, ref);
  }

  /**
   * Removes a waterfall no column uses.
   *
   * @throws ConflictError naming the columns that use it; NotFoundError when there is none.
   */
  async remove(ref: string): Promise<WaterfallInfo> {
    const wf = await loadWaterfall(this.host, ref);
    const users = (
      await this.host.store.db
        .selectFrom('table_columns')
        .innerJoin('tables', 'tables.id', 'table_columns.table_id')
        .select(['tables.name as table', 'table_columns.name as column', 'table_columns.spec'])
        .where('table_columns.organization_id', '=', this.organizationId)
        .where('table_columns.kind', '=', 'waterfall')
        .execute()
    ).filter(
      (c) => parseJson<WaterfallColumnStored>(c.spec, { waterfall_id: '', map: null }).waterfall_id === wf.id,
    );
    if (users.length > 0) {
      throw new ConflictError(
        `Waterfall ${wf.name} is used by ${users.map((u) => `${u.table}.${u.column}`).join(', ')}.`,
        { hint: 'Remove those columns first (`oxygen columns remove <table> <column>`).' },
      );
    }
    await this.host.store.db.deleteFrom('waterfalls').where('id', '=', wf.id).execute();
    return wf;
  }
}
