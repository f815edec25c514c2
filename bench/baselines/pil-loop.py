"""Baseline (a): the plain loop most people write first. One process, one image at a time.

usage: pil-loop.py ROOT OUT.npz HxW
Prints one JSON line: {"images": N, "seconds": S} (seconds exclude interpreter start).
"""
import json
import os
import sys
import time

import numpy as np
from PIL import Image

# The extensions Keras and img2npy's defaults share, so every tool sees the same files.
EXTENSIONS = {'.jpg', '.jpeg', '.png', '.bmp', '.gif'}


def list_files(root):
    classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    for label, name in enumerate(classes):
        folder = os.path.join(root, name)
        for f in sorted(os.listdir(folder)):
            if os.path.splitext(f)[1].lower() in EXTENSIONS:
                yield os.path.join(folder, f), label


def main():
    root, out, size = sys.argv[1], sys.argv[2], sys.argv[3]
    height, width = (int(v) for v in size.split('x'))
    start = time.perf_counter()
    xs, ys = [], []
    for path, label in list_files(root):
        with Image.open(path) as image:
            xs.append(np.asarray(image.convert('RGB').resize((width, height), Image.BILINEAR)))
        ys.append(label)
    np.savez(out, x=np.stack(xs), y=np.asarray(ys, dtype=np.int32))
    print(json.dumps({'images': len(xs), 'seconds': time.perf_counter() - start}))


main()
