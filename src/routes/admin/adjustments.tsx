import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const adjustmentsAdmin = new Hono<AppEnv>();
