import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const reconciliationAdmin = new Hono<AppEnv>();
