// Peer: the same MLP in C++ libtorch, called the way rl_sar-style deploy loops
// call a policy (torch::NoGradGuard, one thread, per step
// `model->forward(obs.unsqueeze(0))` on a tensor built from the observation
// buffer, the action copied out). Weights from the ONNX initializers, written
// by onnx_weights.py. Bench-only (see docs/bench.md).
//
//   torch_loop WEIGHTS_DIR ITERS WARMUP
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

static std::vector<float> readF32(const std::string& path, size_t n) {
  std::vector<float> v(n);
  std::ifstream f(path, std::ios::binary);
  if (!f.read(reinterpret_cast<char*>(v.data()), n * sizeof(float))) throw std::runtime_error("cannot read " + path);
  return v;
}

static double cpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char** argv) {
  if (argc < 4) { std::fprintf(stderr, "usage: torch_loop WEIGHTS_DIR ITERS WARMUP\n"); return 2; }
  const std::string dir = argv[1];
  const int iters = std::stoi(argv[2]), warmup = std::stoi(argv[3]);
  torch::set_num_threads(1);
  torch::NoGradGuard noGrad;
  torch::nn::Sequential net;
  std::ifstream layers(dir + "/layers.txt");
  int out, in, k = 0, width = 0;
  std::string act;
  while (layers >> out >> in >> act) {
    if (k == 0) width = in;
    torch::nn::Linear lin(in, out);
    auto w = readF32(dir + "/layer" + std::to_string(k) + ".weight.f32", size_t(out) * in);
    auto b = readF32(dir + "/layer" + std::to_string(k) + ".bias.f32", out);
    lin->weight.copy_(torch::from_blob(w.data(), {out, in}));
    lin->bias.copy_(torch::from_blob(b.data(), {out}));
    net->push_back(lin);
    if (act == "Elu") net->push_back(torch::nn::ELU());
    else if (act == "Tanh") net->push_back(torch::nn::Tanh());
    else if (act == "Relu") net->push_back(torch::nn::ReLU());
    k++;
  }
  if (k == 0) { std::fprintf(stderr, "no layers in %s/layers.txt\n", dir.c_str()); return 1; }
  net->eval();
  std::vector<float> obs(width, 0.f), action(out, 0.f);
  auto step = [&]() {
    torch::Tensor x = torch::from_blob(obs.data(), {width}).unsqueeze(0);
    torch::Tensor y = net->forward(x).contiguous();
    std::memcpy(action.data(), y.data_ptr<float>(), sizeof(float) * out);
  };
  for (int i = 0; i < warmup; i++) { obs[0] = i * 1e-3f; step(); }
  std::vector<double> samples(iters);
  const double c0 = cpuSeconds();
  const auto w0 = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; i++) {
    obs[0] = (i % 100) * 1e-3f;
    const auto t0 = std::chrono::steady_clock::now();
    step();
    samples[i] = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  }
  const double cpu = cpuSeconds() - c0;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  for (int i = 0; i < width; i++) obs[i] = float(i % 7 - 3) / 10.f;  // the bench's check input
  step();
  std::printf("{\"version\":\"libtorch %s (C++, Debian libtorch-dev)\",\"figures\":{\"deploy_loop\":{\"cpu_s\":%.6f,\"wall_s\":%.6f,\"samples_us\":[",
              TORCH_VERSION, cpu, wall);
  for (int i = 0; i < iters; i++) std::printf(i ? ",%.3f" : "%.3f", samples[i]);
  std::printf("]}},\"check\":[");
  for (int i = 0; i < 8 && i < out; i++) std::printf(i ? ",%.9g" : "%.9g", action[i]);
  std::printf("]}\n");
  return 0;
}
