/**
 * HubSpot's default association types between the objects this plugin links.
 *
 * Source: HubSpot's associations v4 guide, "Association type ID values"
 * (developers.hubspot.com/docs/api-reference/latest/crm/associations/guide). All are
 * `HUBSPOT_DEFINED` and unlabeled (the "Primary" company labels, 1 and 5, are not used: a record's
 * primary company is a choice for the person, not for an import).
 *
 * @module
 */

import type { WireAssociation } from './wire.js';

/** Unlabeled association type ids, from one object type to another. */
export const ASSOCIATION_TYPE_IDS = {
  contacts: { companies: 279, deals: 4 },
  companies: { contacts: 280, deals: 342 },
  deals: { contacts: 3, companies: 341 },
  notes: { contacts: 202, companies: 190, deals: 214 },
} as const;

type From = keyof typeof ASSOCIATION_TYPE_IDS;
type To<F extends From> = keyof (typeof ASSOCIATION_TYPE_IDS)[F];

/**
 * The `associations` entries of a create body linking the new `from` record to `ids` of `to`.
 *
 * @example
 * ```ts
 * associationsTo('deals', 'contacts', ['101']);
 * // [{ to: { id: '101' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }] }]
 * ```
 */
export function associationsTo<F extends From>(
  from: F,
  to: To<F>,
  ids: readonly string[] = [],
): WireAssociation[] {
  const associationTypeId = ASSOCIATION_TYPE_IDS[from][to] as number;
  return ids.map((id) => ({
    to: { id },
    types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId }],
  }));
}
