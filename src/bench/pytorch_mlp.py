"""The bench's two training cases in PyTorch on the CPU, for the ratios `npm run bench` prints.

    /usr/bin/python3 src/bench/pytorch_mlp.py [--quick] [--threads 1,2] [--digits FILE]

784-50-10 at batch 100 (30 epochs) and 784-512-512-10 at batch 256 (12 epochs), as src/bench/train-case.ts
trains them: 8000 MNIST digits, He-initialised affine layers with ReLU between, softmax cross-entropy,
plain SGD at 0.01, a fresh permutation each epoch and its batches gathered from the training rows
(the last batch partial). Samples/s is timed per epoch (permutation, gathers, forward, backward and
update) and the figure is the median epoch after a warm-up third, the same rule as train-case.ts.
Prints one JSON line per case and thread count. Needs torch and numpy.

The digits: `--digits` names the shardprop MNIST cache (data/.cache/mnist-v1.bin, written by any
shardprop run that loads MNIST; layout in src/data/mnist-cache.ts). Without it, random pixels with
MNIST's share of zeros: PyTorch's dense GEMMs take the same time on them.
"""

import argparse
import json
import math
import os
import statistics
import struct
import subprocess
import sys
import time

import numpy as np

TRAIN_ROWS = 8000
FEATURES = 784
CLASSES = 10
CACHE_HEADER = 32


def load_digits(path):
    """The first TRAIN_ROWS digits of a seeded permutation of the cache's 10000 (which rows does not
    change the speed of dense products), as numpy float32 pixels and int64 labels."""
    if path is None:
        rng = np.random.default_rng(1)
        pixels = rng.random((TRAIN_ROWS, FEATURES), dtype=np.float32)
        pixels[rng.random((TRAIN_ROWS, FEATURES)) < 0.8] = 0
        return pixels, rng.integers(0, CLASSES, TRAIN_ROWS)
    with open(path, 'rb') as file:
        data = file.read()
    if data[:8] != b'SPMNIST1':
        sys.exit(f'✖ {path} is not a shardprop MNIST cache (magic SPMNIST1)')
    count, features = struct.unpack_from('<II', data, 8)
    label_bytes = (count + 3) // 4 * 4
    labels = np.frombuffer(data, np.uint8, count, CACHE_HEADER)
    pixels = np.frombuffer(data, '<f4', count * features, CACHE_HEADER + label_bytes).reshape(count, features)
    rows = np.random.default_rng(1).permutation(count)[:TRAIN_ROWS]
    return pixels[rows].copy(), labels[rows].astype(np.int64)


def build(hidden):
    import torch  # here and below, not at the top: the digit reader (and its test) needs numpy alone

    widths = [FEATURES, *hidden, CLASSES]
    layers = []
    for i in range(len(widths) - 1):
        affine = torch.nn.Linear(widths[i], widths[i + 1])
        torch.nn.init.kaiming_normal_(affine.weight, nonlinearity='relu')
        torch.nn.init.zeros_(affine.bias)
        layers.append(affine)
        if i < len(widths) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers), widths


def train_case(hidden, batch, epochs, threads, pixels, labels):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model, widths = build(hidden)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss(reduction='mean')
    rates = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(TRAIN_ROWS)
        for first in range(0, TRAIN_ROWS, batch):
            rows = order[first : first + batch]
            x, y = pixels.index_select(0, rows), labels.index_select(0, rows)
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(x), y).backward()
            optimizer.step()
        rates.append(TRAIN_ROWS / (time.perf_counter() - start))
    timed = sorted(rates[math.ceil(epochs / 3) :])  # the first third is warm-up, as in train-case.ts
    median = statistics.median(timed)
    # Dense training FLOPs per sample, as train-case.ts counts them (no dx for the first layer).
    flops = sum(2 * widths[i] * widths[i + 1] * (2 if i == 0 else 3) for i in range(len(widths) - 1))
    return {
        'case': 'pytorch',
        'model': '-'.join(map(str, widths)),
        'batch': batch,
        'threads': threads,
        'samplesPerSec': median,
        'gflops': median * flops / 1e9,
        'epochs': len(timed),
        'torch': torch.__version__,
    }


def blas_library():
    """The BLAS library this process loaded (torch's BLAS_INFO=generic builds use the system's
    libblas.so.3, which may be the slow reference implementation or OpenBLAS)."""
    with open('/proc/self/maps') as maps:
        paths = {line.split()[-1] for line in maps if 'blas' in line.lower() or 'mkl' in line.lower()}
    return ' '.join(sorted(paths)) or 'none found'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true', help='fewer epochs (a smoke run, not a measurement)')
    parser.add_argument('--threads', default='1,2', help='comma-separated thread counts (default 1,2)')
    parser.add_argument('--digits', help='the shardprop MNIST cache (data/.cache/mnist-v1.bin)')
    parser.add_argument('--case', type=int, help=argparse.SUPPRESS)  # internal: run case N here
    args = parser.parse_args()
    nets = [([50], 100, 9 if args.quick else 30), ([512, 512], 256, 3 if args.quick else 12)]
    cases = [(net, int(t)) for net in nets for t in args.threads.split(',')]
    if args.case is None:
        # Each case in its own process, with the thread count in the environment too: an OpenBLAS
        # or MKL thread pool reads it when it loads, and torch.set_num_threads does not reach it.
        for index, (_, threads) in enumerate(cases):
            pools = ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS']
            env = {**os.environ, **{name: str(threads) for name in pools}}
            argv = [sys.executable, __file__, '--case', str(index), '--threads', args.threads]
            argv += ['--quick'] * args.quick + ['--digits', args.digits] * (args.digits is not None)
            if subprocess.run(argv, env=env).returncode != 0:
                sys.exit(1)
        return
    (hidden, batch, epochs), threads = cases[args.case]
    import torch

    pixels, labels = (torch.from_numpy(array) for array in load_digits(args.digits))
    torch.set_num_interop_threads(1)
    result = train_case(hidden, batch, epochs, threads, pixels, labels)
    print(json.dumps({**result, 'blas': blas_library()}), flush=True)


if __name__ == '__main__':
    main()
