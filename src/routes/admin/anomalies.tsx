import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const anomaliesAdmin = new Hono<AppEnv>();
