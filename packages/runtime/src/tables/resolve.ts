/**
 * Resolving what a column or waterfall step runs: the connection, its provider and the action,
 * with the action's JSON Schemas.
 *
 * @module
 */

import {
  type ActionDefinition,
  AuthError,
  type Connection,
  type JsonSchema,
  NotFoundError,
  type ProviderDefinition,
  ValidationError,
} from '@oxygen/core';
import type { TablesHost } from './host.js';

/** A resolved step. */
export interface ResolvedStep {
  connection: Connection;
  provider: ProviderDefinition;
  // biome-ignore lint/suspicious/noExplicitAny: actions have heterogeneous schemas
  action: ActionDefinition<any, any>;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
}

/** Resolves a column's connection, provider and action, refusing unusable connections up front. */
export async function resolveStep(
  host: TablesHost,
  integration: string,
  slug: string,
  where: string,
): Promise<ResolvedStep> {
  const connection = await host.org.get(integration);
  if (connection.status === 'disconnected' || connection.status === 'expired') {
    throw new AuthError(
      `Integration ${connection.id} (${connection.provider}) used by ${where} is ${connection.status}.`,
      {
        hint: `Reconnect with \`oxygen integrations connect ${connection.provider}\`.`,
      },
    );
  }
  const provider = await host.provider(connection.provider);
  const action = provider.actions.find((a) => a.slug === slug);
  if (!action) {
    throw new NotFoundError(`${provider.name} has no action "${slug}" (${where}).`, {
      field: 'action',
      hint: `Available: ${provider.actions.map((a) => a.slug).join(', ')}.`,
    });
  }
  if (!action.authModes.includes(connection.auth_mode)) {
    throw new ValidationError(
      `${provider.name} ${slug} runs in ${action.authModes.join(' or ')} mode; integration ${connection.id} is ${connection.auth_mode} (${where}).`,
      {
        field: 'integration',
        hint: `Connect ${provider.id} in ${action.authModes[0]} mode and name that integration.`,
      },
    );
  }
  const { describeAction } = await import('../catalog.js');
  const described = describeAction(action);
  return {
    connection,
    provider,
    action,
    inputSchema: described.input_schema,
    outputSchema: described.output_schema,
  };
}
