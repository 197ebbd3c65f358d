/**
 * The account's owners (`GET /crm/v3/owners`): read-only in HubSpot, seeded in the sandbox.
 * Shape from HubSpot's owners guide (developers.hubspot.com/docs/api-reference/latest/crm/owners/guide):
 * `{ id, email, type: 'PERSON', firstName, lastName, userId, userIdIncludingInactive, createdAt,
 * updatedAt, archived, teams: [{ id, name, primary }] }`.
 *
 * @module
 */

/** An owner the sandbox serves. */
export interface SandboxOwner {
  /** The owner id: what `hubspot_owner_id` takes. */
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  /** The user id (settings API); not an owner id. */
  userId: number;
  /** Deactivated users' owners are archived. */
  archived?: boolean;
  teams?: { id: string; name: string; primary: boolean }[];
}

/** The owners a new sandbox has. */
export const DEFAULT_OWNERS: readonly SandboxOwner[] = [
  {
    id: '41629779',
    email: 'ada.owner@example.com',
    firstName: 'Ada',
    lastName: 'Owner',
    userId: 9586504,
    teams: [{ id: '368389', name: 'Sales Team', primary: true }],
  },
  {
    id: '41629780',
    email: 'grace.owner@example.com',
    firstName: 'Grace',
    lastName: 'Owner',
    userId: 9586505,
    teams: [{ id: '368389', name: 'Sales Team', primary: true }],
  },
  {
    id: '41629781',
    email: 'alan.owner@example.com',
    firstName: 'Alan',
    lastName: 'Owner',
    userId: 9586506,
    teams: [],
  },
  {
    id: '41629782',
    email: 'former.owner@example.com',
    firstName: 'Former',
    lastName: 'Owner',
    userId: 9586507,
    archived: true,
    teams: [],
  },
];

const SEEDED_AT = '2019-12-25T13:01:35.228Z';

/** An owner as HubSpot answers it (`PublicOwner`). */
export function ownerView(owner: SandboxOwner): Record<string, unknown> {
  return {
    id: owner.id,
    email: owner.email,
    type: 'PERSON',
    firstName: owner.firstName,
    lastName: owner.lastName,
    userId: owner.userId,
    userIdIncludingInactive: owner.userId,
    createdAt: SEEDED_AT,
    updatedAt: SEEDED_AT,
    archived: owner.archived ?? false,
    teams: owner.teams ?? [],
  };
}
