import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const ledgerAdmin = new Hono<AppEnv>();
