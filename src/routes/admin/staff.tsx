import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const staffAdmin = new Hono<AppEnv>();
