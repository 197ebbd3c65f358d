/**
 * Associations between the sandbox's records, as HubSpot's v4 associations API models them:
 * directed edges with a HUBSPOT_DEFINED type id, always stored in both directions.
 *
 * Type ids and names: HubSpot's "Associations v4" guide, section "Association type ID values"
 * (developers.hubspot.com/docs/api-reference/latest/crm/associations/guide), e.g. contact → company
 * 279 (unlabeled) and 1 (primary), deal → contact 3, note → contact 202. The names are the `type`
 * strings the v3 object read returns under `associations` (`contact_to_company_unlabeled`).
 *
 * @module
 */

import type { ObjectType } from './properties.js';

/** One HUBSPOT_DEFINED association type. */
export interface AssociationType {
  from: ObjectType;
  to: ObjectType;
  typeId: number;
  /** The v3 `associations[].type` name. */
  name: string;
  /** The "Primary" label (contact's / deal's primary company); absent for unlabeled types. */
  label?: 'Primary';
}

/** The association types between the object types the sandbox serves. */
export const ASSOCIATION_TYPES: readonly AssociationType[] = [
  { from: 'contacts', to: 'companies', typeId: 279, name: 'contact_to_company_unlabeled' },
  { from: 'contacts', to: 'companies', typeId: 1, name: 'contact_to_company', label: 'Primary' },
  { from: 'companies', to: 'contacts', typeId: 280, name: 'company_to_contact_unlabeled' },
  { from: 'companies', to: 'contacts', typeId: 2, name: 'company_to_contact', label: 'Primary' },
  { from: 'deals', to: 'contacts', typeId: 3, name: 'deal_to_contact' },
  { from: 'contacts', to: 'deals', typeId: 4, name: 'contact_to_deal' },
  { from: 'deals', to: 'companies', typeId: 341, name: 'deal_to_company_unlabeled' },
  { from: 'deals', to: 'companies', typeId: 5, name: 'deal_to_company', label: 'Primary' },
  { from: 'companies', to: 'deals', typeId: 342, name: 'company_to_deal_unlabeled' },
  { from: 'companies', to: 'deals', typeId: 6, name: 'company_to_deal', label: 'Primary' },
  { from: 'notes', to: 'contacts', typeId: 202, name: 'note_to_contact' },
  { from: 'contacts', to: 'notes', typeId: 201, name: 'contact_to_note' },
  { from: 'notes', to: 'companies', typeId: 190, name: 'note_to_company' },
  { from: 'companies', to: 'notes', typeId: 189, name: 'company_to_note' },
  { from: 'notes', to: 'deals', typeId: 214, name: 'note_to_deal' },
  { from: 'deals', to: 'notes', typeId: 213, name: 'deal_to_note' },
];

/** The type `PUT .../associations/default/...` creates: the unlabeled one. */
export function defaultAssociationType(from: ObjectType, to: ObjectType): AssociationType | undefined {
  return ASSOCIATION_TYPES.find((t) => t.from === from && t.to === to && !t.label);
}

/** The type with this id from `from`, when there is one. */
export function associationType(from: ObjectType, typeId: number): AssociationType | undefined {
  return ASSOCIATION_TYPES.find((t) => t.from === from && t.typeId === typeId);
}

/** The same relationship seen from the other side (primary stays primary). */
export function reverseType(type: AssociationType): AssociationType {
  const reverse = ASSOCIATION_TYPES.find(
    (t) => t.from === type.to && t.to === type.from && t.label === type.label,
  );
  if (!reverse) throw new Error(`sandbox bug: no reverse association type for ${type.name}`);
  return reverse;
}

/** One stored edge, from the record the map key names. */
export interface AssociationEdge {
  toType: ObjectType;
  toId: string;
  type: AssociationType;
}

/** Every association, indexed by the record it starts from. */
export class AssociationStore {
  private readonly edges = new Map<string, AssociationEdge[]>();

  /** Associates two records with `type` and its reverse; adding an existing edge changes nothing. */
  add(fromId: string, toId: string, type: AssociationType): void {
    this.put(type.from, fromId, { toType: type.to, toId, type });
    const reverse = reverseType(type);
    this.put(reverse.from, toId, { toType: reverse.to, toId: fromId, type: reverse });
  }

  /** The edges from one record to records of `toType`, oldest first. */
  from(fromType: ObjectType, fromId: string, toType: ObjectType): AssociationEdge[] {
    return (this.edges.get(`${fromType}:${fromId}`) ?? []).filter((e) => e.toType === toType);
  }

  /** Forgets every association. */
  reset(): void {
    this.edges.clear();
  }

  private put(fromType: ObjectType, fromId: string, edge: AssociationEdge): void {
    const key = `${fromType}:${fromId}`;
    const list = this.edges.get(key) ?? [];
    if (!list.some((e) => e.toId === edge.toId && e.type.typeId === edge.type.typeId)) list.push(edge);
    this.edges.set(key, list);
  }
}
