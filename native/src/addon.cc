// aegis_mujoco: a small N-API binding of MuJoCo 2.2.2 for the embedded simulation.
//
// One class, MjSim, owning one mjModel and one mjData. Every argument is
// checked and every failure becomes a JS exception (never a process exit):
// MuJoCo's fatal-error hook is redirected to a C++ exception that each method
// turns into a JS Error. Reads copy into caller-provided Float64Arrays (no
// allocation on the JS side); lengths must match exactly.
#include <napi.h>
#include <mujoco/mujoco.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

namespace {

struct MjFatal : std::runtime_error {
  explicit MjFatal(const char* msg) : std::runtime_error(msg) {}
};

std::string g_lastWarning;

void OnMjError(const char* msg) { throw MjFatal(msg); }
void OnMjWarning(const char* msg) { g_lastWarning = msg ? msg : ""; }

int ObjTypeFromName(const std::string& s) {
  if (s == "body") return mjOBJ_BODY;
  if (s == "joint") return mjOBJ_JOINT;
  if (s == "actuator") return mjOBJ_ACTUATOR;
  if (s == "site") return mjOBJ_SITE;
  if (s == "sensor") return mjOBJ_SENSOR;
  if (s == "geom") return mjOBJ_GEOM;
  return -1;
}

const char* kWarningNames[mjNWARNING] = {"inertia", "contactfull", "cnstrfull", "vgeomfull",
                                         "badqpos", "badqvel",     "badqacc",   "badctrl"};

}  // namespace

class MjSim : public Napi::ObjectWrap<MjSim> {
 public:
  static Napi::Object Init(Napi::Env env, Napi::Object exports) {
    Napi::Function ctor = DefineClass(
        env, "MjSim",
        {
            InstanceMethod<&MjSim::Step>("step"),
            InstanceMethod<&MjSim::Forward>("forward"),
            InstanceMethod<&MjSim::Reset>("reset"),
            InstanceMethod<&MjSim::Dispose>("dispose"),
            InstanceAccessor<&MjSim::GetDisposed>("disposed"),
            InstanceAccessor<&MjSim::GetTime, &MjSim::SetTime>("time"),
            InstanceAccessor<&MjSim::GetTimestep>("timestep"),
            InstanceAccessor<&MjSim::GetNq>("nq"),
            InstanceAccessor<&MjSim::GetNv>("nv"),
            InstanceAccessor<&MjSim::GetNu>("nu"),
            InstanceAccessor<&MjSim::GetNbody>("nbody"),
            InstanceAccessor<&MjSim::GetNjnt>("njnt"),
            InstanceAccessor<&MjSim::GetNgeom>("ngeom"),
            InstanceAccessor<&MjSim::GetNsite>("nsite"),
            InstanceAccessor<&MjSim::GetNsensor>("nsensor"),
            InstanceAccessor<&MjSim::GetNsensordata>("nsensordata"),
            InstanceAccessor<&MjSim::GetContactCount>("contactCount"),
            InstanceMethod<&MjSim::Name2Id>("name2id"),
            InstanceMethod<&MjSim::Id2Name>("id2name"),
            InstanceMethod<&MjSim::JntQposAdr>("jntQposAdr"),
            InstanceMethod<&MjSim::JntDofAdr>("jntDofAdr"),
            InstanceMethod<&MjSim::JntType>("jntType"),
            InstanceMethod<&MjSim::ActuatorJointId>("actuatorJointId"),
            InstanceMethod<&MjSim::SensorAdr>("sensorAdr"),
            InstanceMethod<&MjSim::SensorDim>("sensorDim"),
            InstanceMethod<&MjSim::ReadTime>("readTime"),
            InstanceMethod<&MjSim::ReadQpos>("readQpos"),
            InstanceMethod<&MjSim::ReadQvel>("readQvel"),
            InstanceMethod<&MjSim::ReadCtrl>("readCtrl"),
            InstanceMethod<&MjSim::ReadSensordata>("readSensordata"),
            InstanceMethod<&MjSim::ReadActuatorForce>("readActuatorForce"),
            InstanceMethod<&MjSim::ReadQfrcActuator>("readQfrcActuator"),
            InstanceMethod<&MjSim::ReadBodyPose>("readBodyPose"),
            InstanceMethod<&MjSim::WriteCtrl>("writeCtrl"),
            InstanceMethod<&MjSim::WriteQpos>("writeQpos"),
            InstanceMethod<&MjSim::WriteQvel>("writeQvel"),
            InstanceMethod<&MjSim::GetBodyMass>("getBodyMass"),
            InstanceMethod<&MjSim::GetBodySubtreeMass>("getBodySubtreeMass"),
            InstanceMethod<&MjSim::ReadBodyInertial>("readBodyInertial"),
            InstanceMethod<&MjSim::SetBodyMass>("setBodyMass"),
            InstanceMethod<&MjSim::AddPayload>("addPayload"),
            InstanceMethod<&MjSim::SetDofDamping>("setDofDamping"),
            InstanceMethod<&MjSim::SetDofFrictionloss>("setDofFrictionloss"),
            InstanceMethod<&MjSim::SetDofArmature>("setDofArmature"),
            InstanceMethod<&MjSim::GetDofParams>("getDofParams"),
            InstanceMethod<&MjSim::SetActuatorGains>("setActuatorGains"),
            InstanceMethod<&MjSim::GetActuatorGains>("getActuatorGains"),
            InstanceMethod<&MjSim::SetActuatorForceRange>("setActuatorForceRange"),
            InstanceMethod<&MjSim::GetActuatorForceRange>("getActuatorForceRange"),
            InstanceMethod<&MjSim::Contacts>("contacts"),
            InstanceMethod<&MjSim::Warnings>("warnings"),
        });
    exports.Set("MjSim", ctor);
    exports.Set("mujocoVersion", Napi::Number::New(env, mj_version()));
    return exports;
  }

  explicit MjSim(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MjSim>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) {
      throw Napi::TypeError::New(env, "MjSim(path): path must be a string (an MJCF file)");
    }
    std::string path = info[0].As<Napi::String>().Utf8Value();
    char err[1024] = {0};
    try {
      m_ = mj_loadXML(path.c_str(), nullptr, err, sizeof(err));
      if (!m_) {
        throw Napi::Error::New(env, "MjSim: cannot load MJCF '" + path + "': " + (err[0] ? err : "unknown error"));
      }
      d_ = mj_makeData(m_);
      if (!d_) {
        mj_deleteModel(m_);
        m_ = nullptr;
        throw Napi::Error::New(env, "MjSim: mj_makeData failed for '" + path + "'");
      }
      mj_forward(m_, d_);
    } catch (const MjFatal& e) {
      Free();
      throw Napi::Error::New(env, std::string("MjSim: MuJoCo error while loading '") + path + "': " + e.what());
    }
  }

  ~MjSim() override { Free(); }

 private:
  mjModel* m_ = nullptr;
  mjData* d_ = nullptr;

  void Free() {
    if (d_) mj_deleteData(d_);
    if (m_) mj_deleteModel(m_);
    d_ = nullptr;
    m_ = nullptr;
  }

  void Live(Napi::Env env) const {
    if (!m_ || !d_) throw Napi::Error::New(env, "MjSim: used after dispose()");
  }

  static double Num(const Napi::CallbackInfo& info, size_t i, const char* what) {
    if (info.Length() <= i || !info[i].IsNumber()) {
      throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a number");
    }
    double v = info[i].As<Napi::Number>().DoubleValue();
    if (!std::isfinite(v)) throw Napi::RangeError::New(info.Env(), std::string(what) + " must be finite");
    return v;
  }

  static int Index(const Napi::CallbackInfo& info, size_t i, int n, const char* what) {
    double v = Num(info, i, what);
    if (v != std::floor(v) || v < 0 || v >= n) {
      throw Napi::RangeError::New(info.Env(), std::string(what) + " " + std::to_string(v) + " out of range [0, " +
                                                  std::to_string(n) + ")");
    }
    return static_cast<int>(v);
  }

  static Napi::Float64Array F64(const Napi::CallbackInfo& info, size_t i, size_t len, const char* what) {
    if (info.Length() <= i || !info[i].IsTypedArray() ||
        info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
      throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a Float64Array");
    }
    Napi::Float64Array a = info[i].As<Napi::Float64Array>();
    if (a.ElementLength() != len) {
      throw Napi::RangeError::New(info.Env(), std::string(what) + " has length " + std::to_string(a.ElementLength()) +
                                                  ", expected " + std::to_string(len));
    }
    return a;
  }

  void CopyOut(const Napi::CallbackInfo& info, const mjtNum* src, int n, const char* what) {
    Napi::Float64Array out = F64(info, 0, static_cast<size_t>(n), what);
    if (n > 0) std::memcpy(out.Data(), src, sizeof(mjtNum) * n);
  }

  void CopyIn(const Napi::CallbackInfo& info, mjtNum* dst, int n, const char* what) {
    Napi::Float64Array in = F64(info, 0, static_cast<size_t>(n), what);
    const double* p = in.Data();
    for (int k = 0; k < n; ++k) {
      if (!std::isfinite(p[k])) {
        throw Napi::RangeError::New(info.Env(), std::string(what) + "[" + std::to_string(k) + "] is not finite");
      }
    }
    if (n > 0) std::memcpy(dst, p, sizeof(mjtNum) * n);
  }

  // Runs a MuJoCo call, turning a fatal MuJoCo error into a JS exception.
  template <typename F>
  void Guard(Napi::Env env, const char* what, F&& f) {
    try {
      f();
    } catch (const MjFatal& e) {
      // The aborted call left its stack frames allocated; release them (no MuJoCo call is active now).
      if (d_) d_->pstack = 0;
      throw Napi::Error::New(env, std::string("MjSim.") + what + ": MuJoCo error: " + e.what() +
                                      " (the simulation state may be invalid; call reset())");
    }
  }

  void RecomputeSubtreeMass() {
    for (int b = 0; b < m_->nbody; ++b) m_->body_subtreemass[b] = m_->body_mass[b];
    for (int b = m_->nbody - 1; b > 0; --b) m_->body_subtreemass[m_->body_parentid[b]] += m_->body_subtreemass[b];
  }

  // ---- stepping ----
  Napi::Value Step(const Napi::CallbackInfo& info) {
    Live(info.Env());
    int n = 1;
    if (info.Length() > 0 && !info[0].IsUndefined()) {
      double v = Num(info, 0, "step(n): n");
      if (v != std::floor(v) || v < 0 || v > 1e9) throw Napi::RangeError::New(info.Env(), "step(n): n must be an integer in [0, 1e9]");
      n = static_cast<int>(v);
    }
    Guard(info.Env(), "step", [&] {
      for (int k = 0; k < n; ++k) mj_step(m_, d_);
    });
    return info.Env().Undefined();
  }
  Napi::Value Forward(const Napi::CallbackInfo& info) {
    Live(info.Env());
    Guard(info.Env(), "forward", [&] { mj_forward(m_, d_); });
    return info.Env().Undefined();
  }
  Napi::Value Reset(const Napi::CallbackInfo& info) {
    Live(info.Env());
    Guard(info.Env(), "reset", [&] {
      mj_resetData(m_, d_);
      mj_forward(m_, d_);
    });
    return info.Env().Undefined();
  }
  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    Free();
    return info.Env().Undefined();
  }
  Napi::Value GetDisposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !m_ || !d_); }

  // ---- scalars ----
  Napi::Value GetTime(const Napi::CallbackInfo& info) {
    Live(info.Env());
    return Napi::Number::New(info.Env(), d_->time);
  }
  void SetTime(const Napi::CallbackInfo& info, const Napi::Value& v) {
    Live(info.Env());
    if (!v.IsNumber() || !std::isfinite(v.As<Napi::Number>().DoubleValue())) {
      throw Napi::TypeError::New(info.Env(), "time must be a finite number (s)");
    }
    d_->time = v.As<Napi::Number>().DoubleValue();
  }
  Napi::Value GetTimestep(const Napi::CallbackInfo& info) {
    Live(info.Env());
    return Napi::Number::New(info.Env(), m_->opt.timestep);
  }
#define MJ_COUNT(NAME, EXPR)                        \
  Napi::Value NAME(const Napi::CallbackInfo& info) { \
    Live(info.Env());                                \
    return Napi::Number::New(info.Env(), EXPR);      \
  }
  MJ_COUNT(GetNq, m_->nq)
  MJ_COUNT(GetNv, m_->nv)
  MJ_COUNT(GetNu, m_->nu)
  MJ_COUNT(GetNbody, m_->nbody)
  MJ_COUNT(GetNjnt, m_->njnt)
  MJ_COUNT(GetNgeom, m_->ngeom)
  MJ_COUNT(GetNsite, m_->nsite)
  MJ_COUNT(GetNsensor, m_->nsensor)
  MJ_COUNT(GetNsensordata, m_->nsensordata)
  MJ_COUNT(GetContactCount, d_->ncon)
#undef MJ_COUNT

  // ---- names and addresses ----
  int ObjCount(int type) const {
    switch (type) {
      case mjOBJ_BODY: return m_->nbody;
      case mjOBJ_JOINT: return m_->njnt;
      case mjOBJ_ACTUATOR: return m_->nu;
      case mjOBJ_SITE: return m_->nsite;
      case mjOBJ_SENSOR: return m_->nsensor;
      case mjOBJ_GEOM: return m_->ngeom;
      default: return 0;
    }
  }
  int ObjTypeArg(const Napi::CallbackInfo& info, const char* method) {
    if (info.Length() < 1 || !info[0].IsString()) {
      throw Napi::TypeError::New(info.Env(), std::string(method) + ": objType must be a string");
    }
    std::string t = info[0].As<Napi::String>().Utf8Value();
    int type = ObjTypeFromName(t);
    if (type < 0) {
      throw Napi::TypeError::New(info.Env(), std::string(method) + ": unknown objType '" + t +
                                                 "' (expected body|joint|actuator|site|sensor|geom)");
    }
    return type;
  }
  Napi::Value Name2Id(const Napi::CallbackInfo& info) {
    Live(info.Env());
    int type = ObjTypeArg(info, "name2id");
    if (info.Length() < 2 || !info[1].IsString()) throw Napi::TypeError::New(info.Env(), "name2id: name must be a string");
    std::string name = info[1].As<Napi::String>().Utf8Value();
    return Napi::Number::New(info.Env(), mj_name2id(m_, type, name.c_str()));
  }
  Napi::Value Id2Name(const Napi::CallbackInfo& info) {
    Live(info.Env());
    int type = ObjTypeArg(info, "id2name");
    int id = Index(info, 1, ObjCount(type), "id2name: id");
    const char* name = mj_id2name(m_, type, id);
    return name ? Napi::String::New(info.Env(), name) : info.Env().Null();
  }
  Napi::Value JntQposAdr(const Napi::CallbackInfo& info) {
    Live(info.Env());
    return Napi::Number::New(info.Env(), m_->jnt_qposadr[Index(info, 0, m_->njnt, "jntQposAdr: joint id")]);
  }
  Napi::Value JntDofAdr(const Napi::CallbackInfo& info) {
    Live(info.Env());
    return Napi::Number::New(info.Env(), m_->jnt_dofadr[Index(info, 0, m_->njnt, "jntDofAdr: joint id")]);
  }
  /** 0 free, 1 ball, 2 slide, 3 hinge (mjtJoint). */
  Napi::Value JntType(const Napi::CallbackInfo& info) {
    Live(info.Env());
    return Napi::Number::New(info.Env(), m_->jnt_type[Index(info, 0, m_->njnt, "jntType: joint id")]);
  }
  /** The joint an actuator drives, or -1 when its transmission is not a joint. */
  Napi::Value ActuatorJointId(const Napi::CallbackInfo& info) {
    Live(info.Env());
    int a = Index(info, 0, m_->nu, "actuatorJointId: actuator id");
    int trn = m_->actuator_trntype[a];
    int id = (trn == mjTRN_JOINT || trn == mjTRN_JOINTINPARENT) ? m_->actuator_trnid[2 * a] : -1;
    return Napi::Number::New(info.Env(), id);
  }
  Napi::Value SensorAdr(const Napi::CallbackInfo& info) {
    Live(info.Env());
    return Napi::Number::New(info.Env(), m_->sensor_adr[Index(info, 0, m_->nsensor, "sensorAdr: sensor id")]);
  }
  Napi::Value SensorDim(const Napi::CallbackInfo& info) {
    Live(info.Env());
    return Napi::Number::New(info.Env(), m_->sensor_dim[Index(info, 0, m_->nsensor, "sensorDim: sensor id")]);
  }

  // ---- state in/out ----
#define MJ_READ(NAME, SRC, N, WHAT)                      \
  Napi::Value NAME(const Napi::CallbackInfo& info) {     \
    Live(info.Env());                                    \
    CopyOut(info, SRC, N, WHAT);                         \
    return info.Env().Undefined();                       \
  }
  MJ_READ(ReadTime, &d_->time, 1, "readTime(out): out")
  MJ_READ(ReadQpos, d_->qpos, m_->nq, "readQpos(out): out")
  MJ_READ(ReadQvel, d_->qvel, m_->nv, "readQvel(out): out")
  MJ_READ(ReadCtrl, d_->ctrl, m_->nu, "readCtrl(out): out")
  MJ_READ(ReadSensordata, d_->sensordata, m_->nsensordata, "readSensordata(out): out")
  MJ_READ(ReadActuatorForce, d_->actuator_force, m_->nu, "readActuatorForce(out): out")
  MJ_READ(ReadQfrcActuator, d_->qfrc_actuator, m_->nv, "readQfrcActuator(out): out")
#undef MJ_READ
#define MJ_WRITE(NAME, DST, N, WHAT)                     \
  Napi::Value NAME(const Napi::CallbackInfo& info) {     \
    Live(info.Env());                                    \
    CopyIn(info, DST, N, WHAT);                          \
    return info.Env().Undefined();                       \
  }
  MJ_WRITE(WriteCtrl, d_->ctrl, m_->nu, "writeCtrl(src): src")
  MJ_WRITE(WriteQpos, d_->qpos, m_->nq, "writeQpos(src): src")
  MJ_WRITE(WriteQvel, d_->qvel, m_->nv, "writeQvel(src): src")
#undef MJ_WRITE

  /** World pose of a body frame: out = [x, y, z, qw, qx, qy, qz] (m, unit quaternion). */
  Napi::Value ReadBodyPose(const Napi::CallbackInfo& info) {
    Live(info.Env());
    int b = Index(info, 0, m_->nbody, "readBodyPose: body id");
    Napi::Float64Array out = F64(info, 1, 7, "readBodyPose(id, out): out");
    double* o = out.Data();
    std::memcpy(o, d_->xpos + 3 * b, sizeof(mjtNum) * 3);
    std::memcpy(o + 3, d_->xquat + 4 * b, sizeof(mjtNum) * 4);
    return info.Env().Undefined();
  }

  // ---- dynamics parameters ----
  Napi::Value GetBodyMass(const Napi::CallbackInfo& info) {
    Live(info.Env());
    return Napi::Number::New(info.Env(), m_->body_mass[Index(info, 0, m_->nbody, "getBodyMass: body id")]);
  }
  Napi::Value GetBodySubtreeMass(const Napi::CallbackInfo& info) {
    Live(info.Env());
    return Napi::Number::New(info.Env(),
                             m_->body_subtreemass[Index(info, 0, m_->nbody, "getBodySubtreeMass: body id")]);
  }
  /** out = [mass, ipos x y z, iquat w x y z, inertia d1 d2 d3] (11 values). */
  Napi::Value ReadBodyInertial(const Napi::CallbackInfo& info) {
    Live(info.Env());
    int b = Index(info, 0, m_->nbody, "readBodyInertial: body id");
    double* o = F64(info, 1, 11, "readBodyInertial(id, out): out").Data();
    o[0] = m_->body_mass[b];
    std::memcpy(o + 1, m_->body_ipos + 3 * b, sizeof(mjtNum) * 3);
    std::memcpy(o + 4, m_->body_iquat + 4 * b, sizeof(mjtNum) * 4);
    std::memcpy(o + 8, m_->body_inertia + 3 * b, sizeof(mjtNum) * 3);
    return info.Env().Undefined();
  }
  /** Sets a body's mass (kg) and scales its inertia by the same ratio. */
  Napi::Value SetBodyMass(const Napi::CallbackInfo& info) {
    Live(info.Env());
    int b = Index(info, 0, m_->nbody, "setBodyMass: body id");
    if (b == 0) throw Napi::RangeError::New(info.Env(), "setBodyMass: body 0 is the world");
    double mass = Num(info, 1, "setBodyMass: massKg");
    if (mass <= 0) throw Napi::RangeError::New(info.Env(), "setBodyMass: massKg must be > 0");
    double old = m_->body_mass[b];
    if (old <= 0) {
      throw Napi::RangeError::New(info.Env(), "setBodyMass: body has zero mass, cannot scale its inertia (use addPayload)");
    }
    double r = mass / old;
    m_->body_mass[b] = mass;
    for (int k = 0; k < 3; ++k) m_->body_inertia[3 * b + k] *= r;
    RecomputeSubtreeMass();
    return info.Env().Undefined();
  }
  /**
   * Adds a point mass (kg) at `offset` (m, body frame, relative to the body's
   * current centre of mass): new mass, shifted centre of mass, and the
   * parallel-axis inertia re-diagonalised into body_iquat/body_inertia.
   */
  Napi::Value AddPayload(const Napi::CallbackInfo& info) {
    Live(info.Env());
    int b = Index(info, 0, m_->nbody, "addPayload: body id");
    if (b == 0) throw Napi::RangeError::New(info.Env(), "addPayload: body 0 is the world");
    double mp = Num(info, 1, "addPayload: massKg");
    if (mp <= 0) throw Napi::RangeError::New(info.Env(), "addPayload: massKg must be > 0");
    double p[3] = {0, 0, 0};
    if (info.Length() > 2 && !info[2].IsUndefined()) {
      if (!info[2].IsArray() || info[2].As<Napi::Array>().Length() != 3) {
        throw Napi::TypeError::New(info.Env(), "addPayload: comOffset must be an array [x, y, z] (m)");
      }
      Napi::Array a = info[2].As<Napi::Array>();
      for (uint32_t k = 0; k < 3; ++k) {
        Napi::Value v = a.Get(k);
        if (!v.IsNumber() || !std::isfinite(v.As<Napi::Number>().DoubleValue())) {
          throw Napi::TypeError::New(info.Env(), "addPayload: comOffset entries must be finite numbers (m)");
        }
        p[k] = v.As<Napi::Number>().DoubleValue();
      }
    }
    double m0 = m_->body_mass[b];
    double M = m0 + mp;
    double* c = m_->body_ipos + 3 * b;
    // Old inertia in the body frame about the old centre of mass: R diag(I) R^T.
    double R[9], D[9] = {0}, tmp[9], I[9];
    mju_quat2Mat(R, m_->body_iquat + 4 * b);
    for (int k = 0; k < 3; ++k) D[4 * k] = m_->body_inertia[3 * b + k];
    mju_mulMatMat(tmp, R, D, 3, 3, 3);
    mju_mulMatMatT(I, tmp, R, 3, 3, 3);
    // New centre of mass shift s = mp p / M (relative to old com).
    double s[3], dOld[3], dNew[3];
    for (int k = 0; k < 3; ++k) {
      s[k] = mp * p[k] / M;
      dOld[k] = -s[k];
      dNew[k] = p[k] - s[k];
    }
    auto addPoint = [&](double m, const double* dv) {
      double dd = dv[0] * dv[0] + dv[1] * dv[1] + dv[2] * dv[2];
      for (int r = 0; r < 3; ++r)
        for (int q = 0; q < 3; ++q) I[3 * r + q] += m * ((r == q ? dd : 0.0) - dv[r] * dv[q]);
    };
    addPoint(m0, dOld);
    addPoint(mp, dNew);
    double eigval[3], eigvec[9], quat[4];
    mju_eig3(eigval, eigvec, quat, I);
    const double floor = 1e-9;
    for (int k = 0; k < 3; ++k) {
      m_->body_inertia[3 * b + k] = eigval[k] > floor ? eigval[k] : floor;
      c[k] += s[k];
    }
    std::memcpy(m_->body_iquat + 4 * b, quat, sizeof(double) * 4);
    m_->body_mass[b] = M;
    RecomputeSubtreeMass();
    return info.Env().Undefined();
  }
  Napi::Value SetDofDamping(const Napi::CallbackInfo& info) { return SetDof(info, m_ ? m_->dof_damping : nullptr, "setDofDamping"); }
  Napi::Value SetDofFrictionloss(const Napi::CallbackInfo& info) { return SetDof(info, m_ ? m_->dof_frictionloss : nullptr, "setDofFrictionloss"); }
  Napi::Value SetDofArmature(const Napi::CallbackInfo& info) { return SetDof(info, m_ ? m_->dof_armature : nullptr, "setDofArmature"); }
  Napi::Value SetDof(const Napi::CallbackInfo& info, mjtNum* field, const char* what) {
    Live(info.Env());
    std::string w(what);
    int dof = Index(info, 0, m_->nv, (w + ": dof id").c_str());
    double v = Num(info, 1, (w + ": value").c_str());
    if (v < 0) throw Napi::RangeError::New(info.Env(), w + ": value must be >= 0");
    field[dof] = v;
    return info.Env().Undefined();
  }
  Napi::Value GetDofParams(const Napi::CallbackInfo& info) {
    Live(info.Env());
    int dof = Index(info, 0, m_->nv, "getDofParams: dof id");
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("damping", m_->dof_damping[dof]);
    o.Set("frictionloss", m_->dof_frictionloss[dof]);
    o.Set("armature", m_->dof_armature[dof]);
    return o;
  }
  /** PD servo of a general actuator with affine bias: force = kp*ctrl - kp*q - kd*qdot. */
  Napi::Value SetActuatorGains(const Napi::CallbackInfo& info) {
    Live(info.Env());
    int a = Index(info, 0, m_->nu, "setActuatorGains: actuator id");
    double kp = Num(info, 1, "setActuatorGains: kp");
    double kd = Num(info, 2, "setActuatorGains: kd");
    if (kp < 0 || kd < 0) throw Napi::RangeError::New(info.Env(), "setActuatorGains: kp and kd must be >= 0");
    if (m_->actuator_gaintype[a] != mjGAIN_FIXED || m_->actuator_biastype[a] != mjBIAS_AFFINE) {
      throw Napi::Error::New(info.Env(), "setActuatorGains: actuator is not a fixed-gain, affine-bias (PD servo) actuator");
    }
    m_->actuator_gainprm[mjNGAIN * a] = kp;
    m_->actuator_biasprm[mjNBIAS * a] = 0;
    m_->actuator_biasprm[mjNBIAS * a + 1] = -kp;
    m_->actuator_biasprm[mjNBIAS * a + 2] = -kd;
    return info.Env().Undefined();
  }
  Napi::Value GetActuatorGains(const Napi::CallbackInfo& info) {
    Live(info.Env());
    int a = Index(info, 0, m_->nu, "getActuatorGains: actuator id");
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("kp", m_->actuator_gainprm[mjNGAIN * a]);
    o.Set("kd", -m_->actuator_biasprm[mjNBIAS * a + 2]);
    return o;
  }
  Napi::Value SetActuatorForceRange(const Napi::CallbackInfo& info) {
    Live(info.Env());
    int a = Index(info, 0, m_->nu, "setActuatorForceRange: actuator id");
    double lo = Num(info, 1, "setActuatorForceRange: lo");
    double hi = Num(info, 2, "setActuatorForceRange: hi");
    if (!(lo <= hi)) throw Napi::RangeError::New(info.Env(), "setActuatorForceRange: lo must be <= hi");
    m_->actuator_forcerange[2 * a] = lo;
    m_->actuator_forcerange[2 * a + 1] = hi;
    m_->actuator_forcelimited[a] = 1;
    return info.Env().Undefined();
  }
  Napi::Value GetActuatorForceRange(const Napi::CallbackInfo& info) {
    Live(info.Env());
    int a = Index(info, 0, m_->nu, "getActuatorForceRange: actuator id");
    Napi::Array r = Napi::Array::New(info.Env(), 2);
    bool lim = m_->actuator_forcelimited[a] != 0;
    r.Set(uint32_t(0), lim ? m_->actuator_forcerange[2 * a] : -INFINITY);
    r.Set(uint32_t(1), lim ? m_->actuator_forcerange[2 * a + 1] : INFINITY);
    return r;
  }

  // ---- contacts and warnings ----
  /** Writes up to out length contacts (geom1, geom2, dist m); returns the number written. */
  Napi::Value Contacts(const Napi::CallbackInfo& info) {
    Live(info.Env());
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsTypedArray() || !info[1].IsTypedArray() || !info[2].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
        info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
        info[2].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
      throw Napi::TypeError::New(env, "contacts(outGeom1: Int32Array, outGeom2: Int32Array, outDist: Float64Array)");
    }
    Napi::Int32Array g1 = info[0].As<Napi::Int32Array>();
    Napi::Int32Array g2 = info[1].As<Napi::Int32Array>();
    Napi::Float64Array dist = info[2].As<Napi::Float64Array>();
    size_t cap = g1.ElementLength();
    if (g2.ElementLength() != cap || dist.ElementLength() != cap) {
      throw Napi::RangeError::New(env, "contacts: the three output arrays must have the same length");
    }
    size_t n = std::min(cap, static_cast<size_t>(d_->ncon));
    for (size_t k = 0; k < n; ++k) {
      g1[k] = d_->contact[k].geom1;
      g2[k] = d_->contact[k].geom2;
      dist[k] = d_->contact[k].dist;
    }
    return Napi::Number::New(env, static_cast<double>(n));
  }
  /** Counts of MuJoCo's runtime warnings since the last reset, by kind, plus the last warning text. */
  Napi::Value Warnings(const Napi::CallbackInfo& info) {
    Live(info.Env());
    Napi::Object o = Napi::Object::New(info.Env());
    for (int k = 0; k < mjNWARNING; ++k) o.Set(kWarningNames[k], d_->warning[k].number);
    o.Set("last", g_lastWarning);
    return o;
  }
};

Napi::Object InitAll(Napi::Env env, Napi::Object exports) {
  mju_user_error = OnMjError;
  mju_user_warning = OnMjWarning;
  return MjSim::Init(env, exports);
}

NODE_API_MODULE(aegis_mujoco, InitAll)
