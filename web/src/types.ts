import type { Static } from 'typebox';
import type { ConfirmedTotp as ConfirmedTotpSchema, MfaMethod, RecoveryCodes, TotpEnrolment } from '../../src/contract/auth.ts';

/** Answer types of contract schemas that export no static type of their own. */
export type TotpEnrolmentAnswer = Static<typeof TotpEnrolment>;
export type ConfirmedTotp = Static<typeof ConfirmedTotpSchema>;
export type RecoveryCodesAnswer = Static<typeof RecoveryCodes>;
export type MfaMethodView = Static<typeof MfaMethod>;
