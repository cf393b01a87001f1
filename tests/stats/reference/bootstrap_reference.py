"""Independent numpy reference for tests/stats/paired-bootstrap.test.ts.

Implements ALGORITHMS.md §4 as written (indices drawn with probability ∝ w, θ* = plain mean of the
resample, z0 from #{θ* < θ̂}/R clipped to [1e-6, 1 − 1e-6], acceleration from the weighted jackknife,
linear-interpolation quantiles) with numpy's own PRNG, and prints the Monte-Carlo mean and standard
deviation of each bound over many seeds for the §9 golden vector. Sums run left to right, as in the
TypeScript code, so that ties θ* = θ̂ round the same way.

Run: python3 tests/stats/reference/bootstrap_reference.py   (numpy ≥ 1.22; about 10 s)
"""
from statistics import NormalDist

import numpy as np

N = NormalDist()
FIN = [3.1, 3.25, 2.9, 3.4, 3.05, 3.3, 2.95, 3.2]
BASE = [3.0, 3.2, 2.95, 3.3, 3.0, 3.1, 2.9, 3.15]
W = [100.0, 200.0, 150.0, 120.0, 80.0, 300.0, 90.0, 110.0]
R = 1000
SEEDS = 4000


def bca(d, w, rng):
    n = len(d)
    total = 0.0
    weighted = 0.0
    for wi, di in zip(w, d):
        total += wi
        weighted += wi * di
    theta = weighted / total
    idx = rng.choice(n, size=(R, n), p=np.array(w) / sum(w))
    acc = np.zeros(R)
    for k in range(n):
        acc = acc + np.array(d)[idx[:, k]]
    thetas = np.sort(acc / n)
    p = min(max(np.mean(thetas < theta), 1e-6), 1 - 1e-6)
    z0 = N.inv_cdf(p)
    loo = np.array([(weighted - wi * di) / (total - wi) for wi, di in zip(w, d)])
    dev = loo.mean() - loo
    a = (dev**3).sum() / (6 * ((dev**2).sum()) ** 1.5)
    out = []
    for z in (N.inv_cdf(0.025), N.inv_cdf(0.975)):
        t = z0 + z
        out.append(np.quantile(thetas, N.cdf(z0 + t / (1 - a * t))))
    return out


def main():
    d = [f - b for f, b in zip(FIN, BASE)]
    for name, w in (("unweighted", [1.0] * len(d)), ("weighted", W)):
        bounds = np.array([bca(d, w, np.random.default_rng(seed)) for seed in range(SEEDS)])
        mean, sd = bounds.mean(0), bounds.std(0, ddof=1)
        print(f"{name}: low mean {mean[0]:.6f} sd {sd[0]:.6f}; high mean {mean[1]:.6f} sd {sd[1]:.6f}")


if __name__ == "__main__":
    main()
