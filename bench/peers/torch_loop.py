"""Peer: the same MLP in PyTorch, called the way unitree_rl_gym's deploy
scripts call a policy (a TorchScript module; per step
`policy(torch.from_numpy(obs).unsqueeze(0)).detach().numpy().squeeze()`),
one intra-op thread, under `torch.no_grad()`. The weights are read from the
ONNX model's initializers, so it is the same network. Bench-only (see
docs/bench.md).

  python torch_loop.py MODEL.onnx ITERS WARMUP
"""
import json
import sys
import time

import numpy as np
import torch

from onnx_weights import gemm_layers

ACT = {"Elu": torch.nn.ELU, "Tanh": torch.nn.Tanh, "Relu": torch.nn.ReLU}


def main() -> None:
    model, iters, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(1)
    mods = []
    for w, b, act in gemm_layers(model):
        lin = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b))
        mods.append(lin)
        if act:
            mods.append(ACT[act]())
    policy = torch.jit.script(torch.nn.Sequential(*mods).eval())
    width = mods[0].in_features
    obs = np.zeros(width, dtype=np.float32)
    clock = time.perf_counter_ns
    with torch.no_grad():
        for k in range(warmup):
            obs[0] = k * 1e-3
            action = policy(torch.from_numpy(obs).unsqueeze(0)).detach().numpy().squeeze()
        samples = [0.0] * iters
        c0, w0 = time.process_time(), time.perf_counter()
        for k in range(iters):
            obs[0] = (k % 100) * 1e-3
            t0 = clock()
            action = policy(torch.from_numpy(obs).unsqueeze(0)).detach().numpy().squeeze()
            samples[k] = (clock() - t0) / 1e3
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        obs[:] = (np.arange(width) % 7 - 3).astype(np.float32) / 10  # the bench's check input
        check = policy(torch.from_numpy(obs).unsqueeze(0)).numpy()[0, :8]
    json.dump({"version": f"torch {torch.__version__} (Python {sys.version.split()[0]})",
               "figures": {"deploy_loop": {"samples_us": samples, "cpu_s": cpu, "wall_s": wall}},
               "check": [float(v) for v in check], "last": float(action[0])}, sys.stdout)


if __name__ == "__main__":
    main()
