/**
 * Credits and managed mode: the append-only ledger, charging managed calls, and the platform key.
 *
 * @module
 */

export {
  type ChargeRequest,
  type CreditBalance,
  type CreditEntry,
  type CreditGrant,
  chargeCredits,
  creditBalance,
  creditHistory,
  grantCredits,
  insufficientCredits,
  MAX_GRANT,
  type OrgCredits,
  orgCredits,
  refundCredits,
} from './ledger.js';
export {
  authModeMismatch,
  chargeManagedCall,
  connectManaged,
  managedCallAuth,
  managedScheme,
  refundFailedCall,
} from './managed.js';
