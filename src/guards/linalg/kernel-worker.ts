/**
 * Entry of a kernel worker thread (`worker_threads`): hosts the linear-algebra kernels. Started by
 * the kernel pool; from source (vitest, tsx) through a bootstrap that registers tsx first.
 */
import { parentPort } from 'node:worker_threads';
import { serveKernelTasks } from './kernel-tasks.js';

if (parentPort !== null) serveKernelTasks(parentPort);
