"""Baseline: the OpenCV loop (cv2.imread + cv2.resize INTER_AREA, BGR to RGB), one process.

usage: opencv-loop.py ROOT OUT.npz HxW
Prints one JSON line: {"images": N, "seconds": S} (seconds exclude interpreter start).
"""
import json
import os
import sys
import time

import cv2
import numpy as np

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
    cv2.setNumThreads(1)
    start = time.perf_counter()
    xs, ys = [], []
    for path, label in list_files(root):
        image = cv2.imread(path, cv2.IMREAD_COLOR)
        if image is None:
            raise SystemExit(f'cannot read {path}')
        xs.append(cv2.cvtColor(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB))
        ys.append(label)
    np.savez(out, x=np.stack(xs), y=np.asarray(ys, dtype=np.int32))
    print(json.dumps({'images': len(xs), 'seconds': time.perf_counter() - start}))


main()
