import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const eventsAdmin = new Hono<AppEnv>();
