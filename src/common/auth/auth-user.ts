import type { UserRole } from '../domain/enums';

/** The authenticated caller, attached to the request by the auth guard. */
export interface AuthUser {
  id: string;
  username: string;
  displayName: string;
  role: UserRole;
  /** null: global scope (the bootstrap admin) */
  areaCode: string | null;
  sector: string | null;
}
