import type { MessagePort } from 'node:worker_threads';
import { isErrorCode } from '../../errors/index.js';
import { computeActivationRmt, type ActivationRmt, type ActivationRmtOptions } from './activation-rmt.js';
import { computeMatrixStats, type MatrixStats, type MatrixStatsOptions } from './matrix-stats.js';

/** One unit of work for a kernel thread: one matrix, every quantity of its kind at once. */
export type KernelTask =
  | { readonly kind: 'matrix-stats'; readonly data: Float32Array; readonly rows: number; readonly cols: number; readonly options: MatrixStatsOptions }
  | { readonly kind: 'activation-rmt'; readonly data: Float32Array; readonly rows: number; readonly cols: number; readonly options: ActivationRmtOptions };

/** The result type of each task kind. */
export interface KernelResults {
  readonly 'matrix-stats': MatrixStats;
  readonly 'activation-rmt': ActivationRmt;
}

/** A task of one kind. */
export type KernelTaskOf<K extends KernelTask['kind']> = Extract<KernelTask, { readonly kind: K }>;

/**
 * Runs a task on the current thread: the one code path both the worker and the in-thread pool use,
 * so both give the same bits.
 * @internal
 */
export function runKernelTask<K extends KernelTask['kind']>(task: KernelTaskOf<K>): KernelResults[K];
export function runKernelTask(task: KernelTask): KernelResults[KernelTask['kind']] {
  switch (task.kind) {
    case 'matrix-stats':
      return computeMatrixStats(task.data, task.rows, task.cols, task.options);
    case 'activation-rmt':
      return computeActivationRmt(task.data, task.rows, task.cols, task.options);
    default: {
      const unreachable: never = task;
      return unreachable;
    }
  }
}

/** Messages from the pool to a worker. @internal */
export interface KernelRequest {
  readonly type: 'task';
  readonly id: number;
  readonly task: KernelTask;
}

/** Messages from a worker to the pool. @internal */
export type KernelReply =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; readonly result: KernelResults[KernelTask['kind']] }
  | { readonly type: 'error'; readonly id: number; readonly message: string; readonly code: string | null };

/**
 * Hosts the kernels on a worker's `parentPort`: says `ready`, then answers each task. The worker
 * entry (`kernel-worker.ts`) calls it; a bundled program that starts itself as the kernel worker
 * (see `KernelPoolOptions.workerUrl`) calls it too.
 */
export function serveKernelTasks(port: MessagePort): void {
  port.on('message', (message: KernelRequest) => {
    try {
      const result = runKernelTask(message.task);
      port.postMessage({ type: 'result', id: message.id, result } satisfies KernelReply);
    } catch (error) {
      const code = error instanceof Error && 'code' in error && isErrorCode(error.code) ? error.code : null;
      const reply: KernelReply = { type: 'error', id: message.id, message: error instanceof Error ? error.message : String(error), code };
      port.postMessage(reply);
    }
  });
  port.postMessage({ type: 'ready' } satisfies KernelReply);
}
