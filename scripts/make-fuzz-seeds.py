#!/usr/bin/env python3
"""Writes the seed corpora of scripts/fuzz.sh into Tests/Fuzz/Corpus/TARGET/: small valid
inputs of each format (standard library only), from which libFuzzer mutates. Run once when a
reader learns a new format feature; the seeds are committed."""
import gzip
import io
import json
import os
import struct
import zipfile
import zlib

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Tests", "Fuzz", "Corpus")


def npy(descr: str, shape: tuple, payload: bytes, fortran: bool = False) -> bytes:
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (descr, "True" if fortran else "False", dims)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()  + payload


def png(width: int, height: int, colour_type: int, rows: list) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def safetensors(tensors: dict, metadata: dict = None) -> bytes:
    header, offset, blob = {}, 0, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blob += data
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + blob


def zipped(members: dict, method: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def idx(shape: tuple, payload: bytes) -> bytes:
    return bytes([0, 0, 8, len(shape)]) + b"".join(struct.pack(">I", d) for d in shape) + payload


def main() -> None:
    floats = struct.pack("<6f", 0.0, 0.5, 1.0, 0.25, 0.75, 0.125)
    seeds = {
        "npy": {"f4.npy": npy("<f4", (2, 3), floats), "u1.npy": npy("|u1", (2, 2, 2), bytes(range(8))),
                "fortran.npy": npy("<f4", (3, 2), floats, fortran=True), "be.npy": npy(">f4", (6,), struct.pack(">6f", *[0.5] * 6))},
        "npz": {"stored.npz": zipped({"input_raw_data.npy": npy("<f4", (2, 3), floats)}, zipfile.ZIP_STORED),
                "deflated.npz": zipped({"a.npy": npy("|u1", (4,), bytes(4)), "b.npy": npy("<f4", (6,), floats)}, zipfile.ZIP_DEFLATED)},
        "zip": {"two.zip": zipped({"x.txt": b"hello", "y.bin": bytes(100)}, zipfile.ZIP_DEFLATED)},
        "safetensors": {"small.safetensors": safetensors({"w": ("F32", (2, 3), floats), "h": ("F16", (2,), b"\x00\x3c\x00\x38")},
                                                         {"format": "pt"})},
        "png": {"grey.png": png(3, 2, 0, [[0, 128, 255], [10, 20, 30]]),
                "rgb.png": png(2, 2, 2, [[255, 0, 0, 0, 255, 0], [0, 0, 255, 9, 9, 9]])},
        "idx": {"images-idx3-ubyte": idx((2, 2, 2), bytes(range(8))), "labels.gz": gzip.compress(idx((3,), bytes([1, 2, 3])))},
        "digit-csv": {"digits.csv": b"0,0,255,12,3\n255,0,0,7,9\n"},
        "python-literal": {"header.txt": b"{'descr': '<f4', 'fortran_order': False, 'shape': (20, 10000, 64, 64), }",
                           "nested.txt": b"{'a': [1, (2, 3), {'b': 'c'}], 'd': None, 'e': -1.5e3, 'f': True}"},
        "gzip": {"hello.gz": gzip.compress(b"hello hello hello")},
        "checkpoint-json": {"state.json": json.dumps({
            "formatVersion": 1, "iteration": 2, "eta": 0.5, "trainerRandomState": ["1", "2", "3", "4"],
            "batchSourceState": ["0", "2"], "tensorsFile": "checkpoint-2.safetensors", "tensorsFileSize": 1024,
            "lossHistory": {"training": [0.5, 0.4], "validation": [{"iteration": 2, "loss": 0.3, "msePerFrame": [1.0, 2.0], "seconds": 1.5}]},
            "configuration": {"model": {"backbone": "predrnn", "motion": {"highway": True, "transient": True, "trend": True, "alpha": 0.5},
                                        "imageHeight": 8, "imageWidth": 8, "imageChannels": 1, "patchSize": 2,
                                        "hiddenChannels": [4, 4], "filterSize": 3, "layerNorm": False,
                                        "inputLength": 2, "totalLength": 4},
                              "learningRate": 0.001, "batchSize": 2, "iterations": 4, "loss": "mse",
                              "samplingDelta": 0.5, "samplingStopIteration": 2, "reverseInput": False,
                              "validationInterval": 2, "checkpointInterval": 2, "keepCheckpoints": 2, "seed": 7,
                              "learningRateSchedule": {"warmupIterations": 1, "decay": "cosine", "finalFraction": 0.05}},
        }, indent=1).encode()},
    }
    for target, files in seeds.items():
        folder = os.path.join(ROOT, target)
        os.makedirs(folder, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)
        print(f"{target}: {len(files)} seeds")


if __name__ == "__main__":
    main()
