import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const purchasesAdmin = new Hono<AppEnv>();
