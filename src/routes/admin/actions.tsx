import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const actionsAdmin = new Hono<AppEnv>();
