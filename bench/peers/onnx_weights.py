"""Reads an MLP's weights from ONNX initializers (Gemm transB=1 chain) and
writes them for the C++ libtorch peer: `layers.txt` (one "out in" line per
layer) and `layerK.weight.f32` / `layerK.bias.f32` (raw float32, W as
[out][in]). Bench-only (see docs/bench.md).

  python onnx_weights.py MODEL.onnx OUT_DIR
"""
import json
import os
import sys

import onnx
from onnx import numpy_helper


def gemm_layers(path):
    """[(W [out][in], b [out], activation after it or None)] in graph order."""
    model = onnx.load(path)
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    layers = []
    for node in model.graph.node:
        if node.op_type == "Gemm":
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
            w = inits[node.input[1]]
            if not attrs.get("transB", 0):
                w = w.T
            layers.append([w.astype("float32"), inits[node.input[2]].astype("float32"), None])
        elif node.op_type in ("Elu", "Tanh", "Relu") and layers:
            layers[-1][2] = node.op_type
        else:
            raise SystemExit(f"unsupported node for the torch peers: {node.op_type}")
    return layers


def main() -> None:
    model, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    layers = gemm_layers(model)
    with open(os.path.join(out_dir, "layers.txt"), "w") as f:
        for k, (w, b, act) in enumerate(layers):
            f.write(f"{w.shape[0]} {w.shape[1]} {act or 'none'}\n")
            w.tofile(os.path.join(out_dir, f"layer{k}.weight.f32"))
            b.tofile(os.path.join(out_dir, f"layer{k}.bias.f32"))
    json.dump({"version": f"onnx {onnx.__version__}", "figures": {}, "layers": len(layers)}, sys.stdout)


if __name__ == "__main__":
    main()
