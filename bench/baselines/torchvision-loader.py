"""Baseline (b): the idiomatic PyTorch pipeline, decoding in one worker process per core.

usage: torchvision-loader.py ROOT OUT.npz HxW WORKERS
Prints one JSON line: {"images": N, "seconds": S} (seconds exclude interpreter and torch import).
"""
import json
import sys
import time

import numpy as np
import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms


def main():
    root, out, size, workers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    height, width = (int(v) for v in size.split('x'))
    start = time.perf_counter()
    transform = transforms.Compose([transforms.Resize((height, width)), transforms.PILToTensor()])
    dataset = datasets.ImageFolder(root, transform=transform)
    loader = DataLoader(dataset, batch_size=32, num_workers=workers, shuffle=False)
    # Preallocated once, as a careful user would: no list of batches and no second copy at the end.
    x = np.empty((len(dataset), height, width, 3), dtype=np.uint8)
    y = np.empty((len(dataset),), dtype=np.int32)
    at = 0
    for images, labels in loader:
        n = images.shape[0]
        x[at:at + n] = images.permute(0, 2, 3, 1).numpy()
        y[at:at + n] = labels.numpy()
        at += n
    np.savez(out, x=x, y=y)
    print(json.dumps({'images': at, 'seconds': time.perf_counter() - start}))


if __name__ == '__main__':
    torch.set_num_threads(1)
    main()
