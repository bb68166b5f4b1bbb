import type { Deposit } from '../../services/deposits';
import type { Purchase } from '../../services/purchases';
import type { StaffMember } from '../../services/staff';
import type { anomalies, users } from '../../db/schema';

type Anomaly = typeof anomalies.$inferSelect;
type Customer = typeof users.$inferSelect;

export function PurchaseActions(_props: { purchase: Purchase; staff: StaffMember }) {
  return null;
}
export function DepositActions(_props: { deposit: Deposit; staff: StaffMember }) {
  return null;
}
export function AnomalyActions(_props: { anomaly: Anomaly; staff: StaffMember }) {
  return null;
}
export function CustomerActions(_props: { customer: Customer; staff: StaffMember }) {
  return null;
}
