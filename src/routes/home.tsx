import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { requireUserPage } from '../middleware/auth';
import { DashboardPage } from '../views/pages/dashboard';
import { LandingPage } from '../views/pages/home';

export const homePages = new Hono<AppEnv>()
  .get('/', (c) => c.html(<LandingPage user={c.var.user} />))
  .get('/dashboard', requireUserPage, (c) => c.html(<DashboardPage user={c.var.user!} />));
