import type { Config } from './config';
import type { SessionUser } from './services/sessions';

/** Hono's type parameter for every sub-app: bindings plus what middleware puts on the context. */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    config: Config;
    user: SessionUser | null;
    /** How the user authenticated: a session cookie or an API key. */
    authMethod: 'session' | 'api-key' | null;
    /** The staff member `requireStaff` let through; set only on `/admin*`. */
    staff: import('./services/staff').StaffMember;
  };
};
