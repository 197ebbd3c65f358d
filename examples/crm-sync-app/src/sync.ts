/**
 * The app's one job, on `@oxygen/runtime`'s table API: put a CSV of leads in a table, sync each
 * row to HubSpot with a `contact.upsert` action column, and read back what each cell mirrors
 * (the HubSpot contact id, `synced` or `failed`, HubSpot's error text).
 *
 * Running it again is safe: the table is imported once, and the column run skips rows already
 * synced with the same input, so it resumes an interrupted sync and retries only failed rows.
 *
 * @module
 */

import type { ColumnRunReport, Runtime } from '@oxygen/runtime';

/** What {@link syncLeads} takes. */
export interface SyncOptions {
  /** An open runtime (`createRuntime`): its store holds the table and the HubSpot connection. */
  runtime: Runtime;
  /** The organization to act for. Default `default`. */
  organization?: string;
  /** The CSV file of leads: a header row with at least `email`, `first_name`, `last_name`, `company`. */
  csv: string;
  /**
   * A HubSpot private app access token, used to connect HubSpot when the organization has no
   * HubSpot integration yet. Never printed or returned.
   */
  hubspotToken?: string;
  /** The table. Default `leads`. */
  table?: string;
  /** The action column. Default `hubspot_contact_id`. */
  column?: string;
  /** Told how far the run is (rows done of total). */
  onProgress?: (done: number, total: number) => void;
}

/** One lead after the sync, as the table mirrors it. */
export interface SyncedLead {
  row_id: string;
  email: string;
  /** `synced`, `failed` or `queued`. */
  status: string;
  /** The HubSpot contact id (also kept after a later failure), or `null`. */
  hubspot_contact_id: string | null;
  /** HubSpot's error text when the last attempt failed. */
  error: string | null;
  /** When the cell last synced. */
  last_synced_at: string | null;
}

/** What {@link syncLeads} did. */
export interface SyncResult {
  /** Whether this call imported the CSV (false when the table already existed). */
  imported: boolean;
  /** The column run's report: counts, failures, timings. */
  report: ColumnRunReport;
  leads: SyncedLead[];
}

/**
 * Imports the CSV (once), adds the `contact.upsert` column (once), runs it, and returns every
 * lead's cell.
 *
 * @throws the runtime's typed errors: `ValidationError` for a CSV or map HubSpot's input schema
 * refuses, `AuthError` for a token HubSpot refuses, `NotFoundError` for a missing file.
 *
 * @example
 * ```ts
 * const runtime = await createRuntime({ home: './.oxygen', plugins: ['@oxygen/provider-hubspot'] });
 * const { leads } = await syncLeads({ runtime, csv: 'leads.csv', hubspotToken: process.env.HUBSPOT_TOKEN });
 * for (const lead of leads) console.log(lead.email, lead.status, lead.hubspot_contact_id ?? lead.error);
 * await runtime.close();
 * ```
 */
export async function syncLeads(options: SyncOptions): Promise<SyncResult> {
  const org = options.runtime.org(options.organization ?? 'default');
  const table = options.table ?? 'leads';
  const column = options.column ?? 'hubspot_contact_id';

  // Connect once; later runs reuse the stored (encrypted) credential.
  if ((await org.list({ provider: 'hubspot' })).length === 0) {
    if (!options.hubspotToken) {
      throw new Error('HubSpot is not connected: pass hubspotToken (a private app access token).');
    }
    await org.connect('hubspot', { apiKey: options.hubspotToken });
  }

  const exists = (await org.tables.list()).some((t) => t.name === table);
  if (!exists) await org.tables.importCsv(table, options.csv);

  if (!(await org.columns.list(table)).some((c) => c.name === column)) {
    // Checked now against contact.upsert's input schema: a misspelt field fails here, naming it.
    await org.columns.add(table, column, {
      integration: 'hubspot',
      action: 'contact.upsert',
      map: {
        email: '{{row.email}}',
        firstname: '{{row.first_name}}',
        lastname: '{{row.last_name}}',
        company: '{{row.company}}',
      },
    });
  }

  const report = await org.columns.run(table, column, {
    concurrency: 4,
    onProgress: (p) => options.onProgress?.(p.done, p.total),
  });

  const leads: SyncedLead[] = [];
  for await (const row of org.tables.export(table)) {
    const cell = row.cells[column];
    leads.push({
      row_id: row.id,
      email: String(row.values.email ?? ''),
      status: cell?.provenance.outputs.sync_status ?? 'not run',
      hubspot_contact_id: cell?.value ?? null,
      error: cell?.error ?? null,
      last_synced_at: cell?.provenance.outputs.last_synced_at ?? null,
    });
  }
  return { imported: !exists, report, leads };
}
