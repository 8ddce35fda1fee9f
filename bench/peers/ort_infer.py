"""Peer: single-sample inference with Python onnxruntime, the way Python deploy
loops call it. Bench-only (see docs/bench.md).

  python ort_infer.py MODEL.onnx INPUT_NAME ITERS WARMUP

Prints one JSON object: per-call times (µs) and process CPU/wall seconds for
- `sess_run`: `sess.run(None, {input: obs})` with a (1, N) float32 array
  refreshed in place each call (the output is a new array per call);
- `iobinding`: `sess.run_with_iobinding` with the input and output bound once
  to pre-allocated numpy arrays (the cheapest Python path).
"""
import json
import sys
import time

import numpy as np
import onnxruntime as ort


def check_input(width):
    """The input every peer reports its first outputs for (the bench compares them): ((i % 7) - 3) / 10."""
    return (np.arange(width) % 7 - 3).astype(np.float32) / 10


def main() -> None:
    model, input_name, iters, warmup = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
    width = sess.get_inputs()[0].shape[1]
    out_meta = sess.get_outputs()[0]
    obs = np.zeros((1, width), dtype=np.float32)
    clock = time.perf_counter_ns
    figures = {}

    def measure(call):
        for k in range(warmup):
            obs[0, 0] = k * 1e-3
            call()
        samples = [0.0] * iters
        c0, w0 = time.process_time(), time.perf_counter()
        for k in range(iters):
            obs[0, 0] = (k % 100) * 1e-3
            t0 = clock()
            call()
            samples[k] = (clock() - t0) / 1e3
        return {"samples_us": samples, "cpu_s": time.process_time() - c0, "wall_s": time.perf_counter() - w0}

    feeds = {input_name: obs}
    figures["sess_run"] = measure(lambda: sess.run(None, feeds))
    out = np.zeros((1, out_meta.shape[1]), dtype=np.float32)
    binding = sess.io_binding()
    binding.bind_cpu_input(input_name, obs)
    binding.bind_output(out_meta.name, "cpu", 0, np.float32, list(out.shape), out.ctypes.data)
    figures["iobinding"] = measure(lambda: sess.run_with_iobinding(binding))
    obs[0, :] = check_input(width)
    ref = sess.run(None, feeds)[0]
    sess.run_with_iobinding(binding)
    if not np.allclose(ref, out, atol=1e-6):
        raise SystemExit("io-binding output differs from sess.run output")
    json.dump({"version": f"onnxruntime {ort.__version__} (Python {sys.version.split()[0]})", "figures": figures,
               "check": [float(v) for v in ref[0, :8]]}, sys.stdout)


if __name__ == "__main__":
    main()
