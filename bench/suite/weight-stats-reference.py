"""numpy reference of the weight-statistics pass (src/guards/linalg/matrix-stats.ts), float64 like ours.

Run by guard-time-child.ts: python3 weight-stats-reference.py WEIGHTS.bin MANIFEST.json OUT.json
The .bin holds every matrix as float32 (row-major, as the guards see it), then the float64 start
blocks of the top-k subspace iteration (initialSubspace, one per (cols, k)). Per matrix: non-finite
count, row/column L2 norms (min, median), Frobenius norm, sigma_max by the same power iteration
(v0 constant), stable rank, mean/std, and the MP top-k singular values by block power iteration with
modified Gram-Schmidt twice and a Rayleigh-Ritz step, and the count above std*(sqrt(rows)+sqrt(cols)).
Writes the per-matrix values and the compute time (load and float32->float64 conversion separated).
"""
import json
import sys
import time

import numpy as np

bin_path, manifest_path, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
manifest = json.load(open(manifest_path))
opts = manifest['options']
raw = np.memmap(bin_path, dtype='<f4', mode='r')
t_load = time.perf_counter()
mats32 = [np.array(raw[m['offset']:m['offset'] + m['rows'] * m['cols']]).reshape(m['rows'], m['cols']) for m in manifest['matrices']]
starts = {key: np.fromfile(bin_path, dtype='<f8', count=v['n'] * v['k'], offset=v['byte_offset']).reshape(v['n'], v['k']) for key, v in manifest['starts'].items()}
load_s = time.perf_counter() - t_load


def mgs(b):
    """Modified Gram-Schmidt, twice (top-singular-values.ts orthonormalizeColumns)."""
    b = b.copy()
    for _ in range(2):
        for c in range(b.shape[1]):
            for p in range(c):
                b[:, c] -= (b[:, c] @ b[:, p]) * b[:, p]
            n = np.linalg.norm(b[:, c])
            b[:, c] = b[:, c] / n if n > 1e-300 else 0.0
    return b


results = []
topk_s = 0.0
t0 = time.perf_counter()
for m, w32 in zip(manifest['matrices'], mats32):
    W = w32.astype(np.float64)
    rows, cols = W.shape
    nonfinite = int((~np.isfinite(W)).sum())
    squares = W * W
    row_norms = np.sqrt(squares.sum(axis=1))
    col_norms = np.sqrt(squares.sum(axis=0))
    fro2 = float(squares.sum())
    v = np.full(cols, 1 / np.sqrt(cols))
    sigma = 0.0
    for _ in range(opts['powerIters']):
        u = W @ v
        sigma = max(np.linalg.norm(u), 1e-12)
        u /= sigma
        v = W.T @ u
        v /= max(np.linalg.norm(v), 1e-12)
    mean = float(W.mean())
    std = float(W.std())
    k = min(opts['mpTopK'], rows, cols)
    top = []
    t_top = time.perf_counter()
    if k > 0:
        V = mgs(starts['%d:%d' % (cols, k)])
        for _ in range(opts['mpIters']):
            U = mgs(W @ V)
            V = mgs(W.T @ U)
        Y = W @ V
        top = sorted(np.sqrt(np.maximum(np.linalg.eigvalsh(Y.T @ Y), 0)).tolist(), reverse=True)
    topk_s += time.perf_counter() - t_top
    edge = std * (np.sqrt(rows) + np.sqrt(cols))
    results.append({
        'key': m['key'], 'nonFinite': nonfinite, 'frobeniusNorm': float(np.sqrt(fro2)), 'sigmaMax': float(sigma),
        'stableRank': fro2 / sigma ** 2, 'rowNormMin': float(row_norms.min()), 'rowNormMedian': float(np.median(row_norms)),
        'colNormMin': float(col_norms.min()), 'colNormMedian': float(np.median(col_norms)), 'mean': mean, 'std': std,
        'top': top, 'mpCount': int(sum(1 for s in top if s > edge)),
    })
compute_s = time.perf_counter() - t0
json.dump({'load_s': load_s, 'compute_s': compute_s, 'topk_s': topk_s, 'numpy': np.__version__, 'results': results}, open(out_path, 'w'))
