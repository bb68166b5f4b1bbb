import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const customersAdmin = new Hono<AppEnv>();
