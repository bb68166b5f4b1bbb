import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { createAccessSimulator } from './access';
import { simBench } from './bench';
import { createMonnifySimulator } from './monnify';
import { createMpesaSimulator } from './mpesa';
import { createVtpassSimulator } from './vtpass';

/**
 * Every provider simulator (design.md §6), mounted at `/__sim` only when SIMULATORS is on;
 * production refuses to start with it on.
 */
export const simulators = new Hono<AppEnv>();
simulators.route('/mpesa', createMpesaSimulator());
simulators.route('/vtpass', createVtpassSimulator());
simulators.route('/monnify', createMonnifySimulator());
simulators.route('/access', createAccessSimulator());
simulators.route('/bench', simBench);
