import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const auditAdmin = new Hono<AppEnv>();
