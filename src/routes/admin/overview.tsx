import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const overviewAdmin = new Hono<AppEnv>();
