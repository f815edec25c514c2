"""Baseline: the PIL loop spread over a multiprocessing Pool, one process per core.

usage: pil-pool.py ROOT OUT.npz HxW WORKERS [draft]
With "draft", JPEGs are opened with Image.draft('RGB', size): libjpeg's DCT scaling to the
smallest 1/N scale that still covers the target, the shrink-on-load trick PIL offers.
Prints one JSON line: {"images": N, "seconds": S} (seconds exclude interpreter start).
"""
import json
import os
import sys
import time
from multiprocessing import Pool

import numpy as np
from PIL import Image

EXTENSIONS = {'.jpg', '.jpeg', '.png', '.bmp', '.gif'}
SIZE = None
DRAFT = False


def list_files(root):
    classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    for label, name in enumerate(classes):
        folder = os.path.join(root, name)
        for f in sorted(os.listdir(folder)):
            if os.path.splitext(f)[1].lower() in EXTENSIONS:
                yield os.path.join(folder, f), label


def init(size, draft):
    global SIZE, DRAFT
    SIZE, DRAFT = size, draft


def load(path):
    width, height = SIZE
    with Image.open(path) as image:
        if DRAFT:
            image.draft('RGB', (width, height))
        return np.asarray(image.convert('RGB').resize((width, height), Image.BILINEAR))


def main():
    root, out, size, workers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    draft = len(sys.argv) > 5 and sys.argv[5] == 'draft'
    height, width = (int(v) for v in size.split('x'))
    start = time.perf_counter()
    files = list(list_files(root))
    x = np.empty((len(files), height, width, 3), dtype=np.uint8)
    with Pool(workers, initializer=init, initargs=((width, height), draft)) as pool:
        for i, row in enumerate(pool.imap(load, [p for p, _ in files], chunksize=16)):
            x[i] = row
    np.savez(out, x=x, y=np.asarray([label for _, label in files], dtype=np.int32))
    print(json.dumps({'images': len(files), 'seconds': time.perf_counter() - start}))


if __name__ == '__main__':
    main()
