"""Cuts the bundled sample folder from Debian's dataset-fashion-mnist (MIT licence).

Run once by a maintainer: /usr/bin/python3 scripts/make-sample.py
Writes samples/fashion/<class>/<index>.png: 10 test-set images each of 4 classes.
"""
import gzip
import os
import struct

from PIL import Image

SRC = '/usr/share/datasets/fashion-mnist'
CLASSES = {1: 'trouser', 7: 'sneaker', 8: 'bag', 9: 'ankle_boot'}
PER_CLASS = 10
OUT = os.path.join(os.path.dirname(__file__), '..', 'samples', 'fashion')

with gzip.open(f'{SRC}/t10k-labels-idx1-ubyte.gz') as f:
    _, n = struct.unpack('>II', f.read(8))
    labels = f.read(n)
with gzip.open(f'{SRC}/t10k-images-idx3-ubyte.gz') as f:
    _, n, rows, cols = struct.unpack('>IIII', f.read(16))
    pixels = f.read()

taken = {k: 0 for k in CLASSES}
for i, label in enumerate(labels):
    if label in CLASSES and taken[label] < PER_CLASS:
        folder = os.path.join(OUT, CLASSES[label])
        os.makedirs(folder, exist_ok=True)
        img = Image.frombytes('L', (cols, rows), pixels[i * rows * cols:(i + 1) * rows * cols])
        img.save(os.path.join(folder, f'{i:05d}.png'), optimize=True)
        taken[label] += 1
