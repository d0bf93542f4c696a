/*
 * vmapple_hvf: a thin N-API shim over Hypervisor.framework (macOS on Apple
 * silicon). Every decision (exit decoding, MMIO, system registers, timers,
 * PSCI) is made in TypeScript: see src/hvf/. This file only forwards calls.
 *
 * HVF wants every hv_vcpu_* call on the thread that created the vCPU, so
 * each vCPU gets a native thread that executes commands posted by the
 * JavaScript thread: register accesses (the JS thread waits, briefly) and
 * runs (the JS thread either waits for the exit, `vcpuRun`, or gets it later
 * through a thread-safe function, `vcpuResume`).
 *
 * Built only on macOS (binding.gyp); the TypeScript interface is HvfNative in
 * src/hvf/native-api.ts.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <Hypervisor/Hypervisor.h>
#include <mach/mach_time.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysctl.h>
#include <time.h>

#define MAX_VCPUS 64

enum cmd {
  CMD_NONE,
  CMD_RUN,
  CMD_GET_REG,
  CMD_SET_REG,
  CMD_GET_SYS,
  CMD_SET_SYS,
  CMD_PENDING,
  CMD_VTIMER_MASK,
  CMD_GET_VTIMER_OFFSET,
  CMD_SET_VTIMER_OFFSET,
  CMD_QUIT,
};

typedef struct vcpu_slot {
  int used;
  int id;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  /* Command mailbox (guarded by mu). */
  int cmd;
  int done;
  int async;
  uint64_t arg0, arg1, result;
  hv_return_t ret;
  /* Owned by the vCPU thread. */
  hv_vcpu_t vcpu;
  hv_vcpu_exit_t *exit;
  int created;
  /* The exit record JavaScript reads: 4 x u64 (reason, syndrome, va, pa). */
  uint64_t *record;
  napi_ref record_ref;
  napi_threadsafe_function tsfn;
} vcpu_slot;

static vcpu_slot slots[MAX_VCPUS];
static int vm_created;

/* ---- helpers --------------------------------------------------------------- */

static napi_value throw_hv(napi_env env, const char *what, hv_return_t r) {
  char msg[128];
  snprintf(msg, sizeof msg, "hvf: %s failed (hv_return_t 0x%08x)", what, (unsigned)r);
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "hvf: missing arguments");
    return 0;
  }
  return 1;
}

static double arg_double(napi_env env, napi_value v) {
  double d = 0;
  napi_get_value_double(env, v, &d);
  return d;
}

static uint64_t arg_u64(napi_env env, napi_value v) {
  uint64_t x = 0;
  bool lossless;
  if (napi_get_value_bigint_uint64(env, v, &x, &lossless) != napi_ok) x = (uint64_t)arg_double(env, v);
  return x;
}

static int arg_bool(napi_env env, napi_value v) {
  bool b = false;
  napi_get_value_bool(env, v, &b);
  return b;
}

static vcpu_slot *arg_slot(napi_env env, napi_value v) {
  int id = (int)arg_double(env, v);
  if (id < 0 || id >= MAX_VCPUS || !slots[id].used) {
    napi_throw_range_error(env, NULL, "hvf: no such vCPU");
    return NULL;
  }
  return &slots[id];
}

/* ---- the vCPU thread --------------------------------------------------------- */

static void execute(vcpu_slot *s, int cmd) {
  switch (cmd) {
    case CMD_RUN:
      s->ret = hv_vcpu_run(s->vcpu);
      s->record[0] = s->exit->reason;
      s->record[1] = s->exit->exception.syndrome;
      s->record[2] = s->exit->exception.virtual_address;
      s->record[3] = s->exit->exception.physical_address;
      break;
    case CMD_GET_REG:
      s->ret = hv_vcpu_get_reg(s->vcpu, (hv_reg_t)s->arg0, &s->result);
      break;
    case CMD_SET_REG:
      s->ret = hv_vcpu_set_reg(s->vcpu, (hv_reg_t)s->arg0, s->arg1);
      break;
    case CMD_GET_SYS:
      s->ret = hv_vcpu_get_sys_reg(s->vcpu, (hv_sys_reg_t)s->arg0, &s->result);
      break;
    case CMD_SET_SYS:
      s->ret = hv_vcpu_set_sys_reg(s->vcpu, (hv_sys_reg_t)s->arg0, s->arg1);
      break;
    case CMD_PENDING:
      s->ret = hv_vcpu_set_pending_interrupt(s->vcpu, (hv_interrupt_type_t)s->arg0, s->arg1 != 0);
      break;
    case CMD_VTIMER_MASK:
      s->ret = hv_vcpu_set_vtimer_mask(s->vcpu, s->arg0 != 0);
      break;
    case CMD_GET_VTIMER_OFFSET:
      s->ret = hv_vcpu_get_vtimer_offset(s->vcpu, &s->result);
      break;
    case CMD_SET_VTIMER_OFFSET:
      s->ret = hv_vcpu_set_vtimer_offset(s->vcpu, s->arg0);
      break;
    default:
      s->ret = HV_SUCCESS;
  }
}

static void *vcpu_main(void *p) {
  vcpu_slot *s = p;
  hv_return_t r = hv_vcpu_create(&s->vcpu, &s->exit, NULL);
  pthread_mutex_lock(&s->mu);
  s->ret = r;
  s->created = r == HV_SUCCESS ? 1 : -1;
  pthread_cond_broadcast(&s->cv);
  if (r != HV_SUCCESS) {
    pthread_mutex_unlock(&s->mu);
    return NULL;
  }
  for (;;) {
    while (s->cmd == CMD_NONE) pthread_cond_wait(&s->cv, &s->mu);
    int cmd = s->cmd;
    pthread_mutex_unlock(&s->mu);
    if (cmd == CMD_QUIT) {
      hv_vcpu_destroy(s->vcpu);
    } else {
      execute(s, cmd);
    }
    pthread_mutex_lock(&s->mu);
    int async = s->async && cmd == CMD_RUN;
    s->cmd = CMD_NONE;
    s->async = 0;
    s->done = 1;
    pthread_cond_broadcast(&s->cv);
    if (cmd == CMD_QUIT) break;
    if (async && s->tsfn) {
      pthread_mutex_unlock(&s->mu);
      napi_call_threadsafe_function(s->tsfn, NULL, napi_tsfn_blocking);
      pthread_mutex_lock(&s->mu);
    }
  }
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

/* Posts a command; waits for it unless async. timeout_ns > 0: kick the vCPU when it passes. */
static hv_return_t post(vcpu_slot *s, int cmd, uint64_t a0, uint64_t a1, int async, double timeout_ns) {
  pthread_mutex_lock(&s->mu);
  while (s->cmd != CMD_NONE) pthread_cond_wait(&s->cv, &s->mu);
  s->cmd = cmd;
  s->arg0 = a0;
  s->arg1 = a1;
  s->async = async;
  s->done = 0;
  pthread_cond_broadcast(&s->cv);
  if (async) {
    pthread_mutex_unlock(&s->mu);
    return HV_SUCCESS;
  }
  if (timeout_ns > 0) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ns = (uint64_t)ts.tv_nsec + (uint64_t)timeout_ns;
    ts.tv_sec += (time_t)(ns / 1000000000u);
    ts.tv_nsec = (long)(ns % 1000000000u);
    while (!s->done) {
      if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) != 0 && !s->done) {
        hv_vcpu_t v = s->vcpu;
        hv_vcpus_exit(&v, 1); /* the run ends with HV_EXIT_REASON_CANCELED */
        break;
      }
    }
  }
  while (!s->done) pthread_cond_wait(&s->cv, &s->mu);
  hv_return_t r = s->ret;
  pthread_mutex_unlock(&s->mu);
  return r;
}

/* ---- VM and memory -------------------------------------------------------------- */

static napi_value vm_create(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  double ipa_bits = arg_double(env, argv[0]);
  napi_valuetype gic_type;
  napi_typeof(env, argv[1], &gic_type);
  hv_vm_config_t config = NULL;
  if (ipa_bits > 0) {
    if (__builtin_available(macOS 13.0, *)) {
      config = hv_vm_config_create();
      hv_return_t r = hv_vm_config_set_ipa_size(config, (uint32_t)ipa_bits);
      if (r != HV_SUCCESS) return throw_hv(env, "hv_vm_config_set_ipa_size", r);
    } else {
      napi_throw_error(env, NULL, "hvf: ipaBits needs macOS 13+");
      return NULL;
    }
  }
  hv_return_t r = hv_vm_create(config);
  if (config) os_release(config);
  if (r != HV_SUCCESS) return throw_hv(env, "hv_vm_create", r);
  vm_created = 1;
  if (gic_type == napi_object) {
    if (__builtin_available(macOS 15.0, *)) {
      napi_value d, rd;
      napi_get_named_property(env, argv[1], "distributorBase", &d);
      napi_get_named_property(env, argv[1], "redistributorBase", &rd);
      hv_gic_config_t g = hv_gic_config_create();
      hv_gic_config_set_distributor_base(g, (hv_ipa_t)arg_double(env, d));
      hv_gic_config_set_redistributor_base(g, (hv_ipa_t)arg_double(env, rd));
      r = hv_gic_create(g);
      os_release(g);
      if (r != HV_SUCCESS) return throw_hv(env, "hv_gic_create", r);
    } else {
      napi_throw_error(env, NULL, "hvf: the HVF GIC needs macOS 15+");
      return NULL;
    }
  }
  return undefined(env);
}

static napi_value vm_destroy(napi_env env, napi_callback_info info) {
  (void)info;
  if (vm_created) {
    hv_return_t r = hv_vm_destroy();
    vm_created = 0;
    if (r != HV_SUCCESS) return throw_hv(env, "hv_vm_destroy", r);
  }
  return undefined(env);
}

static void ram_free(napi_env env, void *data, void *hint) {
  (void)env;
  munmap(data, (size_t)(uintptr_t)hint);
}

static napi_value ram_alloc(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  size_t size = (size_t)arg_double(env, argv[0]);
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_ANON | MAP_PRIVATE, -1, 0);
  if (p == MAP_FAILED) {
    napi_throw_error(env, NULL, "hvf: mmap of guest RAM failed");
    return NULL;
  }
  napi_value ab;
  if (napi_create_external_arraybuffer(env, p, size, ram_free, (void *)(uintptr_t)size, &ab) != napi_ok) {
    munmap(p, size);
    napi_throw_error(env, NULL, "hvf: external ArrayBuffers are not allowed in this runtime");
    return NULL;
  }
  return ab;
}

static napi_value vm_map(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!get_args(env, info, 5, argv)) return NULL;
  void *data;
  size_t length;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &length) != napi_ok) {
    napi_throw_type_error(env, NULL, "hvf: vmMap needs an ArrayBuffer from ramAlloc");
    return NULL;
  }
  size_t offset = (size_t)arg_double(env, argv[1]);
  hv_ipa_t ipa = (hv_ipa_t)arg_double(env, argv[2]);
  size_t size = (size_t)arg_double(env, argv[3]);
  hv_memory_flags_t flags = (hv_memory_flags_t)arg_double(env, argv[4]);
  if (offset + size > length) {
    napi_throw_range_error(env, NULL, "hvf: vmMap range is outside the buffer");
    return NULL;
  }
  hv_return_t r = hv_vm_map((char *)data + offset, ipa, size, flags);
  if (r != HV_SUCCESS) return throw_hv(env, "hv_vm_map", r);
  return undefined(env);
}

static napi_value vm_unmap(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  hv_return_t r = hv_vm_unmap((hv_ipa_t)arg_double(env, argv[0]), (size_t)arg_double(env, argv[1]));
  if (r != HV_SUCCESS) return throw_hv(env, "hv_vm_unmap", r);
  return undefined(env);
}

/* ---- vCPUs ------------------------------------------------------------------------- */

static void call_on_exit(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)data;
  vcpu_slot *s = context;
  if (!env || !js_cb) return;
  /* The run is over: the pending exit no longer keeps the event loop alive. */
  napi_unref_threadsafe_function(env, s->tsfn);
  napi_value id, global;
  napi_create_int32(env, s->id, &id);
  napi_get_global(env, &global);
  napi_call_function(env, global, js_cb, 1, &id, NULL);
}

static napi_value vcpu_create(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  int id = -1;
  for (int i = 0; i < MAX_VCPUS; i++) {
    if (!slots[i].used) {
      id = i;
      break;
    }
  }
  if (id < 0) {
    napi_throw_error(env, NULL, "hvf: too many vCPUs");
    return NULL;
  }
  vcpu_slot *s = &slots[id];
  memset(s, 0, sizeof *s);
  s->id = id;
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_biguint64_array ||
      length < 4) {
    napi_throw_type_error(env, NULL, "hvf: vcpuCreate needs a BigUint64Array of 4 words");
    return NULL;
  }
  s->record = data;
  napi_create_reference(env, argv[0], 1, &s->record_ref);
  napi_valuetype cb_type;
  napi_typeof(env, argv[1], &cb_type);
  if (cb_type == napi_function) {
    napi_value name;
    napi_create_string_utf8(env, "vmapple_hvf_exit", NAPI_AUTO_LENGTH, &name);
    napi_create_threadsafe_function(env, argv[1], NULL, name, 0, 1, NULL, NULL, s, call_on_exit, &s->tsfn);
    napi_unref_threadsafe_function(env, s->tsfn);
  }
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->cv, NULL);
  s->used = 1;
  pthread_create(&s->thread, NULL, vcpu_main, s);
  pthread_mutex_lock(&s->mu);
  while (s->created == 0) pthread_cond_wait(&s->cv, &s->mu);
  hv_return_t r = s->ret;
  int ok = s->created > 0;
  pthread_mutex_unlock(&s->mu);
  if (!ok) {
    pthread_join(s->thread, NULL);
    if (s->tsfn) napi_release_threadsafe_function(s->tsfn, napi_tsfn_release);
    napi_delete_reference(env, s->record_ref);
    s->used = 0;
    return throw_hv(env, "hv_vcpu_create", r);
  }
  napi_value out;
  napi_create_int32(env, id, &out);
  return out;
}

static napi_value vcpu_destroy(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  vcpu_slot *s = arg_slot(env, argv[0]);
  if (!s) return NULL;
  hv_vcpu_t v = s->vcpu;
  hv_vcpus_exit(&v, 1);
  post(s, CMD_QUIT, 0, 0, 0, 0);
  pthread_join(s->thread, NULL);
  if (s->tsfn) napi_release_threadsafe_function(s->tsfn, napi_tsfn_release);
  napi_delete_reference(env, s->record_ref);
  s->used = 0;
  return undefined(env);
}

static napi_value vcpu_run(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  vcpu_slot *s = arg_slot(env, argv[0]);
  if (!s) return NULL;
  double timeout = arg_double(env, argv[1]);
  hv_return_t r = post(s, CMD_RUN, 0, 0, 0, timeout > 0 ? timeout : 1);
  if (r != HV_SUCCESS) return throw_hv(env, "hv_vcpu_run", r);
  napi_value out;
  napi_create_uint32(env, (uint32_t)s->record[0], &out);
  return out;
}

static napi_value vcpu_resume(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  vcpu_slot *s = arg_slot(env, argv[0]);
  if (!s) return NULL;
  if (!s->tsfn) {
    napi_throw_error(env, NULL, "hvf: vcpuResume needs the onExit callback given to vcpuCreate");
    return NULL;
  }
  /* While the vCPU runs, its coming exit keeps the event loop alive. */
  napi_ref_threadsafe_function(env, s->tsfn);
  post(s, CMD_RUN, 0, 0, 1, 0);
  return undefined(env);
}

static napi_value vcpus_exit(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  uint32_t n = 0;
  napi_get_array_length(env, argv[0], &n);
  hv_vcpu_t ids[MAX_VCPUS];
  uint32_t count = 0;
  for (uint32_t i = 0; i < n && count < MAX_VCPUS; i++) {
    napi_value e;
    napi_get_element(env, argv[0], i, &e);
    vcpu_slot *s = arg_slot(env, e);
    if (!s) return NULL;
    ids[count++] = s->vcpu;
  }
  hv_return_t r = hv_vcpus_exit(ids, count);
  if (r != HV_SUCCESS) return throw_hv(env, "hv_vcpus_exit", r);
  return undefined(env);
}

/* Register-style calls: (id, a0[, a1]) → bigint or undefined. */
static napi_value vcpu_call(napi_env env, napi_callback_info info, int cmd, size_t nargs, int returns, const char *what) {
  napi_value argv[3];
  if (!get_args(env, info, nargs, argv)) return NULL;
  vcpu_slot *s = arg_slot(env, argv[0]);
  if (!s) return NULL;
  uint64_t a0 = nargs > 1 ? arg_u64(env, argv[1]) : 0;
  uint64_t a1 = 0;
  if (nargs > 2) a1 = cmd == CMD_PENDING || cmd == CMD_VTIMER_MASK ? (uint64_t)arg_bool(env, argv[2]) : arg_u64(env, argv[2]);
  if (cmd == CMD_VTIMER_MASK) a0 = (uint64_t)arg_bool(env, argv[1]);
  hv_return_t r = post(s, cmd, a0, a1, 0, 0);
  if (r != HV_SUCCESS) return throw_hv(env, what, r);
  if (!returns) return undefined(env);
  napi_value out;
  napi_create_bigint_uint64(env, s->result, &out);
  return out;
}

static napi_value get_reg(napi_env e, napi_callback_info i) { return vcpu_call(e, i, CMD_GET_REG, 2, 1, "hv_vcpu_get_reg"); }
static napi_value set_reg(napi_env e, napi_callback_info i) { return vcpu_call(e, i, CMD_SET_REG, 3, 0, "hv_vcpu_set_reg"); }
static napi_value get_sys(napi_env e, napi_callback_info i) { return vcpu_call(e, i, CMD_GET_SYS, 2, 1, "hv_vcpu_get_sys_reg"); }
static napi_value set_sys(napi_env e, napi_callback_info i) { return vcpu_call(e, i, CMD_SET_SYS, 3, 0, "hv_vcpu_set_sys_reg"); }
static napi_value set_pending(napi_env e, napi_callback_info i) {
  return vcpu_call(e, i, CMD_PENDING, 3, 0, "hv_vcpu_set_pending_interrupt");
}
static napi_value vtimer_mask(napi_env e, napi_callback_info i) { return vcpu_call(e, i, CMD_VTIMER_MASK, 2, 0, "hv_vcpu_set_vtimer_mask"); }
static napi_value get_vtoff(napi_env e, napi_callback_info i) {
  return vcpu_call(e, i, CMD_GET_VTIMER_OFFSET, 1, 1, "hv_vcpu_get_vtimer_offset");
}
static napi_value set_vtoff(napi_env e, napi_callback_info i) {
  return vcpu_call(e, i, CMD_SET_VTIMER_OFFSET, 2, 0, "hv_vcpu_set_vtimer_offset");
}

/* ---- host facts and the HVF GIC ------------------------------------------------------ */

static napi_value host_ticks(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  napi_create_bigint_uint64(env, mach_absolute_time(), &out);
  return out;
}

static napi_value host_frequency(napi_env env, napi_callback_info info) {
  (void)info;
  uint64_t hz = 0;
  size_t len = sizeof hz;
  if (sysctlbyname("hw.tbfrequency", &hz, &len, NULL, 0) != 0 || hz == 0) hz = 24000000;
  napi_value out;
  napi_create_double(env, (double)hz, &out);
  return out;
}

static napi_value gic_set_spi(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  if (__builtin_available(macOS 15.0, *)) {
    hv_return_t r = hv_gic_set_spi((uint32_t)arg_double(env, argv[0]), arg_bool(env, argv[1]));
    if (r != HV_SUCCESS) return throw_hv(env, "hv_gic_set_spi", r);
    return undefined(env);
  }
  napi_throw_error(env, NULL, "hvf: the HVF GIC needs macOS 15+");
  return NULL;
}

/* ---- module ---------------------------------------------------------------------------- */

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"vmCreate", NULL, vm_create, NULL, NULL, NULL, napi_default, NULL},
    {"vmDestroy", NULL, vm_destroy, NULL, NULL, NULL, napi_default, NULL},
    {"ramAlloc", NULL, ram_alloc, NULL, NULL, NULL, napi_default, NULL},
    {"vmMap", NULL, vm_map, NULL, NULL, NULL, napi_default, NULL},
    {"vmUnmap", NULL, vm_unmap, NULL, NULL, NULL, napi_default, NULL},
    {"vcpuCreate", NULL, vcpu_create, NULL, NULL, NULL, napi_default, NULL},
    {"vcpuDestroy", NULL, vcpu_destroy, NULL, NULL, NULL, napi_default, NULL},
    {"vcpuRun", NULL, vcpu_run, NULL, NULL, NULL, napi_default, NULL},
    {"vcpuResume", NULL, vcpu_resume, NULL, NULL, NULL, napi_default, NULL},
    {"vcpusExit", NULL, vcpus_exit, NULL, NULL, NULL, napi_default, NULL},
    {"getReg", NULL, get_reg, NULL, NULL, NULL, napi_default, NULL},
    {"setReg", NULL, set_reg, NULL, NULL, NULL, napi_default, NULL},
    {"getSysReg", NULL, get_sys, NULL, NULL, NULL, napi_default, NULL},
    {"setSysReg", NULL, set_sys, NULL, NULL, NULL, napi_default, NULL},
    {"setPendingInterrupt", NULL, set_pending, NULL, NULL, NULL, napi_default, NULL},
    {"setVtimerMask", NULL, vtimer_mask, NULL, NULL, NULL, napi_default, NULL},
    {"getVtimerOffset", NULL, get_vtoff, NULL, NULL, NULL, napi_default, NULL},
    {"setVtimerOffset", NULL, set_vtoff, NULL, NULL, NULL, napi_default, NULL},
    {"hostTicks", NULL, host_ticks, NULL, NULL, NULL, napi_default, NULL},
    {"hostCounterFrequency", NULL, host_frequency, NULL, NULL, NULL, napi_default, NULL},
    {"gicSetSpi", NULL, gic_set_spi, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
