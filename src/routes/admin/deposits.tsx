import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const depositsAdmin = new Hono<AppEnv>();
