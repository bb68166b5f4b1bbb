import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { requireUserPage } from '../middleware/auth';
import { listWallets } from '../services/wallets';
import { WalletSummary } from '../views/components/wallet-summary';
import { DashboardPage } from '../views/pages/dashboard';
import { LandingPage } from '../views/pages/home';

export const homePages = new Hono<AppEnv>()
  .get('/', (c) => c.html(<LandingPage user={c.var.user} />))
  .get('/dashboard', requireUserPage, async (c) => {
    const wallets = await listWallets(c.env, c.var.user!.id);
    return c.html(<DashboardPage user={c.var.user!} wallets={<WalletSummary wallets={wallets} />} />);
  });
