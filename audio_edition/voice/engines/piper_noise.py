"""Deterministic Piper: replace the voice's random noise with a fixed table of Gaussian numbers.

A Piper (VITS) voice draws Gaussian noise twice per sentence (``RandomNormalLike``: the duration
predictor's and the prior's), so the same text never gives the same samples twice, and
``onnxruntime.set_seed`` does not reach those nodes. Publishers diff their outputs, and a build with
two workers must equal one with one, so each of those nodes is swapped for a lookup in a table of
standard normal numbers stored in the model: element ``i`` of the noise is ``table[(offset + i) % N]``.

A table, not noise computed in the graph: no transcendental functions to round differently on
other CPUs, and no arithmetic at all. (The thread count still matters elsewhere in the voice:
onnxruntime splits some convolutions by thread count, so every voice runs with one thread; see
EngineOptions.threads.)
"""

from __future__ import annotations

from pathlib import Path

#: Part of the clip-cache key: change it if the noise changes.
NOISE_VERSION = "table-20-1"
#: Table size: 2**20 floats (4 MiB), more noise than the longest chunk's prior needs (~0.6 M).
TABLE_SIZE = 1 << 20
TABLE_SEED = 20261128
TABLE = "/audio_edition_noise/table"


def noise_table():
    """The table: NumPy's PCG64 generator is the same on every platform."""
    import numpy as np

    return np.random.default_rng(TABLE_SEED).standard_normal(TABLE_SIZE).astype(np.float32)


def _noise_nodes(k: int, like: str, out: str) -> list:
    """Nodes computing ``out``, shaped like ``like``, from the table, starting at a per-node offset."""
    import numpy as np
    from onnx import helper, numpy_helper

    p = f"/audio_edition_noise{k}/"
    nodes = []

    def const(name: str, value: int) -> str:
        nodes.append(
            helper.make_node(
                "Constant", [], [p + name], value=numpy_helper.from_array(np.array(value, dtype=np.int64), p + name)
            )
        )
        return p + name

    def node(op: str, inputs: list[str], name: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [p + name], **attrs))
        return p + name

    shape = node("Shape", [like], "shape")
    start = const("start", k * 7919)  # the two noises do not start at the same place
    end = node("Add", [node("ReduceProd", [shape], "n", keepdims=0), start], "end")
    index = node("Mod", [node("Range", [start, end, const("one", 1)], "i"), const("size", TABLE_SIZE)], "j")
    nodes.append(helper.make_node("Reshape", [node("Gather", [TABLE, index], "z", axis=0), shape], [out]))
    return nodes


def deterministic_model(path: Path) -> bytes:
    """The voice at ``path`` with its noise made deterministic, serialized for onnxruntime."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    nodes, k = [], 0
    for n in model.graph.node:
        if n.op_type == "RandomNormalLike":
            k += 1
            nodes.extend(_noise_nodes(k, n.input[0], n.output[0]))
        else:
            nodes.append(n)
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    model.graph.initializer.append(numpy_helper.from_array(noise_table(), TABLE))
    return model.SerializeToString()
