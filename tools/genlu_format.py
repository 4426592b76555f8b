#!/usr/bin/env python3
"""Read and write GenLu's ``*.gfmm.json`` weight files from Python (standard library only; numpy optional).

A weight file is one UTF-8 JSON object (docs/format.md): ``format`` = "genlu-gfmm", ``version``, the shape
``M`` (leaf blocks) and ``P`` (block size), ``dtype`` = "float32", the scale ``s`` of ``A ≈ s · L · U``, optional
provenance sections, and ``tensors``: for each name of the reference's state dict (``L.encoder.0.3.W.weight``, ...)
its ``shape`` [P, P] and ``data``, the little-endian float32 bytes in base64 (row-major ``W[out, in]``). ``sha256`` is
the SHA-256 of the tensors' bytes concatenated in ordinal (code-point) order of their names. Version 2 files may also
record ``N`` (the operator's order, at most M · P) and leave out tensors that are all zero.

Usage as a library::

    import genlu_format as gf
    model = gf.load("cd.gfmm.json")              # dict: M, P, N, scale, tensors {name: (shape, array('f'))}
    w = gf.as_numpy(model)["L.encoder.0.0.W.weight"]   # numpy arrays of shape (P, P), if numpy is installed
    gf.save("copy.gfmm.json", model)             # checksum recomputed; written atomically

Usage from the shell::

    python tools/genlu_format.py info cd.gfmm.json
    python tools/genlu_format.py to-npz cd.gfmm.json cd.npz   # the arrays `genlu export` writes, for numpy.load

The names, shapes and scalars of ``to-npz`` are those of ``genlu export``; ``genlu import`` reads such an archive
(or a .safetensors file) back. The file is checked as GenLu checks it: format, version, dtype, shapes, finite
weights, zero root edges and the checksum.
"""

import array
import base64
import hashlib
import io
import json
import math
import os
import struct
import sys
import tempfile
import zipfile

FORMAT = "genlu-gfmm"
READ_VERSIONS = (1, 2)
ROOT = "root_bridge.W.weight"


class FormatError(ValueError):
    """The file is not a valid GenLu weight file; the message names the field at fault."""


def _floats(payload, name, p):
    if len(payload) != 4 * p * p:
        raise FormatError(f'tensors["{name}"].data: {len(payload)} bytes, expected {4 * p * p} (P = {p})')
    values = array.array("f")
    values.frombytes(payload)
    if sys.byteorder != "little":
        values.byteswap()
    for k, v in enumerate(values):
        if not math.isfinite(v):
            raise FormatError(f'tensors["{name}"]: value number {k} is {v}; NaN and infinities are rejected')
    return values


def _payload(values):
    copy = array.array("f", values)
    if sys.byteorder != "little":
        copy.byteswap()
    return copy.tobytes()


def load(path):
    """Reads and checks a weight file; returns a dict with M, P, N, scale, version, provenance and tensors."""
    with open(path, "r", encoding="utf-8") as handle:
        root = json.load(handle)
    if root.get("format") != FORMAT:
        raise FormatError(f'format: expected "{FORMAT}", found {root.get("format")!r}')
    if root.get("version") not in READ_VERSIONS:
        raise FormatError(f"version: {root.get('version')!r} is not supported (versions {READ_VERSIONS})")
    if root.get("dtype") != "float32":
        raise FormatError(f'dtype: expected "float32", found {root.get("dtype")!r}')
    m, p = root.get("M"), root.get("P")
    if not isinstance(m, int) or m < 2 or m & (m - 1):
        raise FormatError(f"M: {m!r} must be a power of two >= 2")
    if not isinstance(p, int) or p < 1:
        raise FormatError(f"P: {p!r} must be >= 1")
    scale = root.get("scale")
    if not isinstance(scale, (int, float)) or not math.isfinite(scale) or scale <= 0:
        raise FormatError(f"scale: {scale!r} must be finite and > 0")
    n = root.get("N", m * p)
    if not isinstance(n, int) or not 1 <= n <= m * p:
        raise FormatError(f"N: {n!r} must be in [1, M * P = {m * p}]")

    tensors, payloads = {}, {}
    for name, tensor in root.get("tensors", {}).items():
        if tensor.get("shape") != [p, p]:
            raise FormatError(f'tensors["{name}"].shape: expected [{p}, {p}], found {tensor.get("shape")!r}')
        payload = base64.b64decode(tensor["data"], validate=True)
        values = _floats(payload, name, p)
        if name[2:] == ROOT and any(v != 0 for v in values):
            raise FormatError(f'tensors["{name}"]: the root edge of L and U must be identically zero')
        tensors[name] = ([p, p], values)
        payloads[name] = payload
    digest = hashlib.sha256(b"".join(payloads[name] for name in sorted(payloads))).hexdigest()
    if root.get("sha256") != digest:
        raise FormatError(f"sha256: the file says {root.get('sha256')!r} but the tensors hash to {digest}")
    provenance = {key: root[key] for key in ("operator", "training", "metrics") if key in root}
    return {"M": m, "P": p, "N": n, "scale": float(scale), "version": root["version"],
            "provenance": provenance, "tensors": tensors}


def save(path, model):
    """Writes ``model`` (as ``load`` returns it) atomically, with the checksum recomputed.

    Version 1 is written when N = M * P; a smaller N needs version 2, which records it."""
    m, p, n = model["M"], model["P"], model.get("N", model["M"] * model["P"])
    payloads = {name: _payload(values) for name, (shape, values) in model["tensors"].items()}
    for name, payload in payloads.items():
        _floats(payload, name, p)
    document = {"format": FORMAT, "version": 1 if n == m * p else 2, "M": m, "P": p}
    if n != m * p:
        document["N"] = n
    document["dtype"] = "float32"
    document["scale"] = model["scale"]
    document.update(model.get("provenance", {}))
    document["tensors"] = {name: {"shape": [p, p], "data": base64.b64encode(payloads[name]).decode("ascii")}
                           for name in sorted(payloads)}
    document["sha256"] = hashlib.sha256(b"".join(payloads[name] for name in sorted(payloads))).hexdigest()
    _write_atomically(path, json.dumps(document, separators=(",", ":")).encode("utf-8"))


def as_numpy(model):
    """The tensors as numpy float32 arrays of shape (P, P), by name (needs numpy)."""
    import numpy as np
    return {name: np.frombuffer(_payload(values), dtype="<f4").reshape(shape).copy()
            for name, (shape, values) in model["tensors"].items()}


def _npy(descr, shape, data):
    """One .npy file, format 1.0: magic, version, header length, header padded to 64 bytes, data."""
    shape_text = "()" if not shape else f"({shape[0]},)" if len(shape) == 1 else "(" + ", ".join(map(str, shape)) + ")"
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}"
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + data


def to_npz(model, path):
    """Writes the arrays ``genlu export`` writes: every tensor (float32), zero roots, scale (float64), N, M, P (int64)."""
    m, p = model["M"], model["P"]
    tensors = dict(model["tensors"])
    for side in ("L.", "U."):
        tensors.setdefault(side + ROOT, ([p, p], array.array("f", bytes(4 * p * p))))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name in sorted(tensors):
            archive.writestr(name + ".npy", _npy("<f4", [p, p], _payload(tensors[name][1])))
        archive.writestr("scale.npy", _npy("<f8", [], struct.pack("<d", model["scale"])))
        for key, value in (("N", model["N"]), ("M", m), ("P", p)):
            archive.writestr(key + ".npy", _npy("<i8", [], struct.pack("<q", value)))
    _write_atomically(path, buffer.getvalue())


def _write_atomically(path, data):
    directory = os.path.dirname(os.path.abspath(path))
    handle, temp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)


def main(argv):
    if len(argv) == 2 and argv[0] == "info":
        model = load(argv[1])
        print(f"M = {model['M']}, P = {model['P']}, N = {model['N']}, scale = {model['scale']!r}, "
              f"version {model['version']}, {len(model['tensors'])} tensors")
        return 0
    if len(argv) == 3 and argv[0] == "to-npz":
        to_npz(load(argv[1]), argv[2])
        return 0
    print(__doc__.split("Usage from the shell::")[1].split("The names")[0].rstrip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (FormatError, OSError, ValueError, KeyError) as error:
        print(f"genlu_format: {error}", file=sys.stderr)
        sys.exit(1)
