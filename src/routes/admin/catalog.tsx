import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const catalogAdmin = new Hono<AppEnv>();
