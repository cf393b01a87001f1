import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InvarlockError, isErrorCode } from '../../errors/index.js';
import { runKernelTask, type KernelReply, type KernelRequest, type KernelResults, type KernelTask, type KernelTaskOf } from './kernel-tasks.js';

/*
 * Worker strategy. One task = one matrix with every quantity at once; a worker holds one task at a
 * time, so memory stays bounded by pool size × largest matrix. Data: a SharedArrayBuffer-backed
 * Float32Array is shared as is (zero copy); an array the caller hands over (`transfer`, a view over its
 * whole buffer) is moved to the worker (zero copy, detached here); any other is copied (just the view,
 * never the whole model buffer a view may sit in) and the copy transferred.
 * Entry: `kernel-worker.js` beside this file (tsc build); from sources (vitest, tsx) an eval bootstrap
 * registers tsx and imports `kernel-worker.ts`; in a single-file ncc bundle neither exists and `auto`
 * runs on the calling thread (same code path, same bits). To keep threads in a bundle, also bundle
 * `src/guards/linalg/kernel-worker.ts` (`ncc build … -o tmp && cp tmp/index.js dist/<entry>/kernel-worker.js`):
 * the lookup beside the running bundle then finds it.
 */

/**
 * Where kernels run. `auto`: worker threads when the worker entry loads, else on the calling thread
 * (with `fallbackReason` saying why); `worker`: worker threads or `E_WORKER`; `in-thread`: never start a worker.
 */
export type KernelPoolMode = 'auto' | 'worker' | 'in-thread';

/** Options of {@link createKernelPool}. */
export interface KernelPoolOptions {
  /** @default 'auto' */
  readonly mode: KernelPoolMode;
  /** Most worker threads; they start lazily, one per task in flight. @default os.availableParallelism() */
  readonly size: number;
  /**
   * Script to start as the worker; it must call `serveKernelTasks(parentPort)`. Default: the
   * `kernel-worker.js` compiled beside this module, or from source `kernel-worker.ts` through tsx
   * (vitest, tsx). A single-file bundle has neither, so `auto` falls back to the calling thread
   * unless the bundler emits the worker and this points at it. @default null
   */
  readonly workerUrl: URL | null;
  /** `workerData` for a custom `workerUrl` (e.g. a marker telling a bundled CLI entry to serve kernels). @default null */
  readonly workerData: unknown;
}

/** Defaults of {@link KernelPoolOptions} (`size` is computed per machine when absent). */
export const KERNEL_POOL_DEFAULTS = Object.freeze({ mode: 'auto', workerUrl: null, workerData: null }) satisfies Omit<KernelPoolOptions, 'size'>;

/** Tasks run so far, by where they ran: tests use it to prove the worker path ran. */
export interface KernelPoolCounters {
  readonly workerTasks: number;
  readonly inThreadTasks: number;
}

/** Options of one {@link KernelPool.run}. */
export interface KernelRunOptions {
  /** The caller hands the task's array over: the pool may move (detach) it instead of copying. @default false */
  readonly transfer?: boolean;
}

/** A pool of kernel threads. Close it when done; an idle pool does not keep the process alive. */
export interface KernelPool {
  /** Where tasks run: decided when the pool is created. */
  readonly mode: 'worker' | 'in-thread';
  /** Worker threads the pool may start (1 in-thread). */
  readonly size: number;
  /** Why `auto` fell back to the calling thread, or null. */
  readonly fallbackReason: string | null;
  readonly counters: () => KernelPoolCounters;
  /**
   * Runs one task. In worker mode the matrix is shared when its buffer is a SharedArrayBuffer; with
   * `transfer` (the caller owns the array and is done with it) a view over its whole buffer is moved
   * and the caller's array is detached; else it is copied (only the view's bytes) and the copy moved.
   * @throws InvarlockError `E_WORKER` when a worker thread fails.
   */
  readonly run: <K extends KernelTask['kind']>(task: KernelTaskOf<K>, options?: KernelRunOptions) => Promise<KernelResults[K]>;
  /** Terminates the workers; later `run` calls are refused with `E_WORKER`. */
  readonly close: () => Promise<void>;
}

/**
 * Creates a {@link KernelPool}. In `auto` and `worker` modes it starts one worker and waits for it to
 * load, so that a missing or broken worker entry is found here: `auto` then returns an in-thread pool
 * (same numbers, one core), `worker` throws.
 * @throws InvarlockError `E_WORKER` in `worker` mode when no worker can start.
 */
export async function createKernelPool(options: Partial<KernelPoolOptions> = {}): Promise<KernelPool> {
  const mode = options.mode ?? KERNEL_POOL_DEFAULTS.mode;
  const size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
  if (mode === 'in-thread') return createInThreadPool(null);
  const spec = resolveWorkerSpec(options.workerUrl ?? null, options.workerData ?? null);
  if (typeof spec === 'string') {
    if (mode === 'worker') throw new InvarlockError('E_WORKER', `kernel worker cannot start: ${spec}`, { details: { reason: spec } });
    return createInThreadPool(spec);
  }
  let first: Worker;
  try {
    first = await startWorker(spec);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (mode === 'worker') throw new InvarlockError('E_WORKER', `kernel worker failed to load: ${reason}`, { details: { reason }, cause: error });
    return createInThreadPool(`worker failed to load: ${reason}`);
  }
  return createWorkerPool(spec, size, first);
}

interface WorkerSpec {
  readonly entry: URL | string;
  readonly eval: boolean;
  readonly workerData: unknown;
}

/** The worker to start, or why there is none. Names are built at run time so bundlers leave them alone. */
function resolveWorkerSpec(workerUrl: URL | null, workerData: unknown): WorkerSpec | string {
  if (workerUrl !== null) return { entry: workerUrl, eval: false, workerData };
  // Names and base are opaque values: bundlers' asset relocators would otherwise copy the .ts source into dist/.
  const base = ['kernel', 'worker'].join('-');
  const here = String(import.meta.url);
  const compiled = new URL(`./${base}.js`, here);
  if (compiled.protocol === 'file:' && existsSync(fileURLToPath(compiled))) return { entry: compiled, eval: false, workerData };
  const source = new URL(`./${base}.ts`, here);
  if (source.protocol !== 'file:' || !existsSync(fileURLToPath(source))) return `no ${base}.js beside ${here} (a single-file bundle?)`;
  const loader = resolveTsxRegister();
  if (loader === null) return `${base}.ts needs tsx to run from source, and tsx is not installed`;
  // Running from TypeScript sources (vitest, tsx): the worker registers tsx's hooks, then loads the entry.
  const bootstrap = `import(${JSON.stringify(loader)}).then((api) => { api.register(); return import(${JSON.stringify(source.href)}); });`;
  return { entry: bootstrap, eval: true, workerData };
}

/**
 * File URL of tsx's ESM `register` API (`tsx/esm/api`, import condition), or null. `require.resolve`
 * only sees the require condition (`index.cjs`); the ESM build sits beside it as `index.mjs`.
 */
function resolveTsxRegister(): string | null {
  try {
    const cjs = createRequire(import.meta.url).resolve(['tsx', 'esm', 'api'].join('/'));
    const esm = cjs.replace(/\.cjs$/, '.mjs');
    return existsSync(esm) ? pathToFileURL(esm).href : null;
  } catch {
    return null;
  }
}

function startWorker(spec: WorkerSpec): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(spec.entry, { eval: spec.eval, workerData: spec.workerData });
    const onMessage = (message: KernelReply): void => {
      if (message.type !== 'ready') return;
      cleanup();
      worker.unref();
      resolve(worker);
    };
    const onError = (error: Error): void => {
      cleanup();
      void worker.terminate();
      reject(error);
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new Error(`worker exited with code ${code} before it was ready`));
    };
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

function createInThreadPool(fallbackReason: string | null): KernelPool {
  let inThreadTasks = 0;
  let isClosed = false;
  return {
    mode: 'in-thread',
    size: 1,
    fallbackReason,
    counters: () => ({ workerTasks: 0, inThreadTasks }),
    run: async (task) => {
      if (isClosed) throw closedError();
      // Yield first so a long batch does not starve timers and progress events between matrices.
      await new Promise<void>((resolve) => setImmediate(resolve));
      inThreadTasks++;
      return runKernelTask(task);
    },
    close: async () => {
      isClosed = true;
    },
  };
}

interface Pending {
  readonly id: number;
  readonly task: KernelTask;
  readonly transfer: boolean;
  readonly resolve: (value: KernelResults[KernelTask['kind']]) => void;
  readonly reject: (error: unknown) => void;
}

interface Slot {
  readonly worker: Worker;
  current: Pending | null;
}

function createWorkerPool(spec: WorkerSpec, size: number, first: Worker): KernelPool {
  const slots: Slot[] = [];
  const queue: Pending[] = [];
  let starting = 0;
  let nextId = 1;
  let workerTasks = 0;
  let isClosed = false;

  const adopt = (worker: Worker): void => {
    const slot: Slot = { worker, current: null };
    slots.push(slot);
    worker.on('message', (message: KernelReply) => {
      const pending = slot.current;
      if (message.type === 'ready' || pending === null || message.id !== pending.id) return;
      slot.current = null;
      worker.unref();
      if (message.type === 'result') {
        workerTasks++;
        pending.resolve(message.result);
      } else {
        const code = message.code !== null && isErrorCode(message.code) ? message.code : 'E_WORKER';
        pending.reject(new InvarlockError(code, `kernel task failed in a worker: ${message.message}`, { details: { reason: message.message } }));
      }
      dispatch();
    });
    const fail = (reason: string, cause?: unknown): void => {
      const index = slots.indexOf(slot);
      if (index >= 0) slots.splice(index, 1);
      const pending = slot.current;
      slot.current = null;
      if (pending !== null && !isClosed) {
        pending.reject(new InvarlockError('E_WORKER', `a kernel worker failed: ${reason}`, { details: { reason }, cause }));
      }
      if (!isClosed) dispatch();
    };
    worker.on('error', (error) => fail(error.message, error));
    worker.on('exit', (code) => fail(`exited with code ${code}`));
  };

  const send = (slot: Slot, pending: Pending): void => {
    slot.current = pending;
    slot.worker.ref();
    const { task } = pending;
    // A SharedArrayBuffer is shared as is; an array handed over whole is moved; anything else is
    // copied (just the view) and the copy moved.
    if (typeof SharedArrayBuffer !== 'undefined' && task.data.buffer instanceof SharedArrayBuffer) {
      slot.worker.postMessage({ type: 'task', id: pending.id, task } satisfies KernelRequest);
      return;
    }
    const whole = task.data.buffer;
    if (pending.transfer && whole instanceof ArrayBuffer && task.data.byteOffset === 0 && task.data.byteLength === whole.byteLength) {
      slot.worker.postMessage({ type: 'task', id: pending.id, task } satisfies KernelRequest, [whole]);
      return;
    }
    const copy = task.data.slice();
    slot.worker.postMessage({ type: 'task', id: pending.id, task: { ...task, data: copy } } satisfies KernelRequest, [copy.buffer]);
  };

  const spawn = (): void => {
    starting++;
    startWorker(spec).then(
      (worker) => {
        starting--;
        if (isClosed) {
          void worker.terminate();
          return;
        }
        adopt(worker);
        dispatch();
      },
      (error: unknown) => {
        starting--;
        // The first worker loaded, so this is a resource problem: the queue waits for the others,
        // unless there are none left, when everything queued fails.
        if (slots.length === 0 && starting === 0) {
          for (const pending of queue.splice(0)) {
            pending.reject(new InvarlockError('E_WORKER', 'no kernel worker could start', { details: { reason: String(error) }, cause: error }));
          }
        }
      },
    );
  };

  const dispatch = (): void => {
    for (let idle = slots.find((slot) => slot.current === null); idle !== undefined && queue.length > 0; idle = slots.find((slot) => slot.current === null)) {
      const pending = queue.shift();
      if (pending !== undefined) send(idle, pending);
    }
    // Every slot is busy now: start workers for what still waits, up to the pool size.
    while (queue.length > starting && slots.length + starting < size) spawn();
  };

  adopt(first);
  return {
    mode: 'worker',
    size,
    fallbackReason: null,
    counters: () => ({ workerTasks, inThreadTasks: 0 }),
    run: <K extends KernelTask['kind']>(task: KernelTaskOf<K>, options?: KernelRunOptions): Promise<KernelResults[K]> => {
      if (isClosed) return Promise.reject(closedError());
      return new Promise<KernelResults[K]>((resolve, reject) => {
        const pending: Pending = {
          id: nextId++,
          task,
          transfer: options?.transfer === true,
          // The worker answers a task with the result of the same kind (runKernelTask's overload).
          resolve: resolve as (value: KernelResults[KernelTask['kind']]) => void,
          reject,
        };
        queue.push(pending);
        dispatch();
      });
    },
    close: async () => {
      isClosed = true;
      for (const pending of queue.splice(0)) pending.reject(closedError());
      for (const slot of slots) slot.current?.reject(closedError());
      await Promise.all(slots.splice(0).map((slot) => slot.worker.terminate()));
    },
  };
}

function closedError(): InvarlockError {
  return new InvarlockError('E_WORKER', 'the kernel pool is closed', { details: { reason: 'closed' } });
}
