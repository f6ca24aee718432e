"""Deterministic Piper: replace the voice's random noise with a fixed pseudo-random sequence.

A Piper (VITS) voice draws Gaussian noise twice per sentence (``RandomNormalLike``: the duration
predictor's and the prior's), so the same text never gives the same samples twice, and
``onnxruntime.set_seed`` does not reach those nodes. Publishers diff their outputs, and a build with
two workers must equal one with one, so each of those nodes is swapped for a small graph computing
noise from the element index alone: a sine hash gives two uniforms, Box–Muller makes them normal
(mean 0, deviation 1, no correlation between neighbours). The voice sounds the same; it just says a
sentence the same way every time, on any machine and with any number of threads.
"""

from __future__ import annotations

from pathlib import Path

#: Part of the clip-cache key: change it if the noise changes.
NOISE_VERSION = "sinhash-boxmuller-1"


def _noise_nodes(k: int, like: str, out: str) -> list:
    from onnx import TensorProto, helper

    p = f"/audio_edition_noise{k}/"
    nodes = []

    def const(name: str, value: float) -> str:
        tensor = helper.make_tensor(p + name, TensorProto.FLOAT, [], [value])
        nodes.append(helper.make_node("Constant", [], [p + name], value=tensor))
        return p + name

    def node(op: str, inputs: list[str], name: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [p + name], **attrs))
        return p + name

    shape = node("Shape", [like], "shape")
    count = node("Cast", [node("ReduceProd", [shape], "n", keepdims=0)], "nf", to=TensorProto.FLOAT)
    index = node("Range", [const("zero", 0.0), count, const("one", 1.0)], "i")

    def uniform(tag: str, step: float, phase: float) -> str:
        x = node(
            "Add", [node("Mul", [index, const(tag + "step", step)], tag + "x"), const(tag + "phase", phase)], tag + "y"
        )
        t = node("Mul", [node("Sin", [x], tag + "s"), const(tag + "big", 43758.5453)], tag + "t")
        return node("Sub", [t, node("Floor", [t], tag + "f")], tag + "u")

    u1 = node("Max", [uniform("a", 0.1234567, 0.5 + k), const("eps", 1e-7)], "u1")
    u2 = uniform("b", 0.0765432, 1.7 + k)
    radius = node("Sqrt", [node("Mul", [node("Log", [u1], "log"), const("m2", -2.0)], "r2")], "r")
    angle = node("Cos", [node("Mul", [u2, const("tau", 6.283185307)], "th")], "cos")
    z = node("Mul", [radius, angle], "z")
    nodes.append(helper.make_node("Reshape", [z, shape], [out]))
    return nodes


def deterministic_model(path: Path) -> bytes:
    """The voice at ``path`` with its noise made deterministic, serialized for onnxruntime."""
    import onnx

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
    return model.SerializeToString()
