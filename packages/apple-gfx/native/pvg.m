/*
 * vmapple_pvg: the macOS-only N-API shim for ParavirtualizedGraphics.framework.
 *
 * WRITTEN, NOT COMPILED OR RUN: no macOS host was available when this file
 * was written. Every place where an API signature or behaviour was taken on
 * trust is marked `UNVERIFIED:`; the README lists them and the command that
 * checks them on a Mac.
 *
 * What it is: a marshalling layer. `createBridge(host)` returns an object
 * with the shape of `PvgBridge` (src/pvg-bridge.ts). All bookkeeping and
 * validation (tasks, mode lists, frame pacing, cursor conversion, IOSFC
 * handles) stays in TypeScript. This file only
 *   - builds the framework's descriptors and forwards their blocks to the
 *     JavaScript callbacks, waiting for the answer when the block needs one;
 *   - performs the Mach VM calls behind tasks (the framework needs real host
 *     addresses), with bounds and alignment checks that keep those calls
 *     inside the task's own reservation;
 *   - runs the Metal pass that copies a frame out as BGRA8 bytes.
 *
 * Threading (spec §8.1, §8.1a): the framework calls its blocks on its own
 * queues. A block never touches JavaScript directly: it posts a job to the
 * bridge's hub and, when it needs a result, waits for it. Jobs run on the
 * JavaScript thread, either
 *   (a) from a napi_threadsafe_function wake-up (the event loop is idle), or
 *   (b) inside a synchronous call from JavaScript into the framework
 *       (mmioRead, mmioWrite, reset, ...): that call runs the framework
 *       method on a global dispatch queue and, while waiting for it, keeps
 *       running posted jobs, because the framework may call back
 *       synchronously (e.g. readMemory) from inside the MMIO access.
 * Display blocks run on a private serial queue (not the main queue: libuv,
 * not Cocoa, drives Node's main thread, so nothing would drain it).
 *
 * Memory management: ARC (binding.gyp sets CLANG_ENABLE_OBJC_ARC).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <mach/mach_vm.h>
#import <Foundation/Foundation.h>
#import <AppKit/AppKit.h>
#import <Metal/Metal.h>
#import <ParavirtualizedGraphics/ParavirtualizedGraphics.h>

#if !__has_feature(objc_arc)
#error "pvg.m is written for ARC (CLANG_ENABLE_OBJC_ARC in binding.gyp)"
#endif

/* ---- Private framework API (spec §8.4; names only, no public header) ---- */

// UNVERIFIED: the private property's name and type (BOOL vs bool) on
// PGDeviceDescriptor; createDevice checks respondsToSelector: before use.
@interface PGDeviceDescriptor (VMApplePrivate)
@property (nonatomic) BOOL usingIOSurfaceMapper;
@end

// UNVERIFIED: the three IOSFC block signatures. The spec records them "as
// used": map (u64 guest phys, u64 length, bool read-only, out void* host
// address, two further opaque pointers) -> bool; unmap (host address, five
// further opaque pointers) -> bool; raise (u32 vector) -> bool.
typedef bool (^VMIosfcMapMemory)(uint64_t phys, uint64_t length, bool readOnly, void **hostAddress, void *opaque1,
                                 void *opaque2);
typedef bool (^VMIosfcUnmapMemory)(void *hostAddress, void *opaque1, void *opaque2, void *opaque3, void *opaque4,
                                   void *opaque5);
typedef bool (^VMIosfcRaiseInterrupt)(uint32_t vector);

// UNVERIFIED: PGIOSurfaceHostDeviceDescriptor's block properties are
// copy properties settable with these setters.
@protocol VMIosfcDescriptor <NSObject>
@property (nonatomic, copy) VMIosfcMapMemory mapMemory;
@property (nonatomic, copy) VMIosfcUnmapMemory unmapMemory;
@property (nonatomic, copy) VMIosfcRaiseInterrupt raiseInterrupt;
@end

/* The two MMIO selectors PGDevice and the IOSFC device share (one forwarding path for both). */
@protocol VMMmio <NSObject>
- (uint32_t)mmioReadAtOffset:(size_t)offset;
- (void)mmioWriteAtOffset:(size_t)offset value:(uint32_t)value;
@end

// UNVERIFIED: PGIOSurfaceHostDevice's initializer and MMIO methods (offset
// type size_t, value type uint32_t, as on PGDevice).
@protocol VMIosfcDevice <VMMmio>
- (instancetype)initWithDescriptor:(id)descriptor;
@end

// UNVERIFIED: -[PGDevice reset] (declared by newer SDKs only; the macOS 11
// header has none). Declared here so the file builds with either SDK;
// deviceReset checks respondsToSelector: first.
@protocol VMResettable <NSObject>
- (void)reset;
@end

/* ---- The hub: jobs that must run on the JavaScript thread ---- */

typedef void (^VMJob)(napi_env env, bool cancelled);

@interface VMHub : NSObject {
@public
  pthread_mutex_t mu;
  pthread_cond_t cv;
  NSMutableArray<VMJob> *jobs; // guarded by mu
  napi_threadsafe_function tsfn; // guarded by mu once shared
  bool wakePending;              // guarded by mu
  bool closed;                   // guarded by mu
  napi_env env;                  // the JavaScript thread's env
  pthread_t jsThread;
  int depth;       // JavaScript thread only: nesting of hubRunOff
  napi_ref error;  // JavaScript thread only: first exception a callback threw inside hubRunOff
}
@end

@implementation VMHub
- (instancetype)init {
  if ((self = [super init])) {
    pthread_mutex_init(&mu, NULL);
    pthread_cond_init(&cv, NULL);
    jobs = [NSMutableArray new];
  }
  return self;
}
- (void)dealloc {
  pthread_mutex_destroy(&mu);
  pthread_cond_destroy(&cv);
}
@end

/** A napi_ref usable from blocks: created and deleted on the JavaScript thread only; NULL once deleted. */
@interface VMRef : NSObject {
@public
  napi_ref ref;
}
@end
@implementation VMRef
@end

static VMRef *refNew(napi_env env, napi_value v) {
  VMRef *r = [VMRef new];
  if (napi_create_reference(env, v, 1, &r->ref) != napi_ok) r->ref = NULL;
  return r;
}

static void refDrop(napi_env env, VMRef *r) {
  if (r && r->ref) {
    napi_delete_reference(env, r->ref);
    r->ref = NULL;
  }
}

/** Runs taken jobs, each in its own handle scope. */
static void hubRun(napi_env env, NSArray<VMJob> *taken) {
  for (VMJob job in taken) {
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    job(env, false);
    napi_close_handle_scope(env, scope);
  }
}

/** With hub->mu held: takes every queued job. */
static NSArray<VMJob> *hubTake(VMHub *hub) {
  if (hub->jobs.count == 0) return nil;
  NSArray<VMJob> *taken = [hub->jobs copy];
  [hub->jobs removeAllObjects];
  return taken;
}

static void hubCallJs(napi_env env, napi_value jsCallback, void *context, void *data) {
  (void)jsCallback;
  (void)data;
  if (!env) return; // the environment is going away; hubClose cancels the jobs
  VMHub *hub = (__bridge VMHub *)context;
  pthread_mutex_lock(&hub->mu);
  hub->wakePending = false;
  NSArray<VMJob> *taken = hubTake(hub);
  pthread_mutex_unlock(&hub->mu);
  if (taken) hubRun(env, taken);
}

/** Queues a job for the JavaScript thread; false once the hub is closed. Any thread. */
static bool hubPost(VMHub *hub, VMJob job) {
  pthread_mutex_lock(&hub->mu);
  if (hub->closed) {
    pthread_mutex_unlock(&hub->mu);
    return false;
  }
  [hub->jobs addObject:[job copy]];
  pthread_cond_broadcast(&hub->cv); // a JavaScript thread inside hubRunOff picks it up
  if (!hub->wakePending) {
    hub->wakePending = true; // otherwise the event loop picks it up
    napi_call_threadsafe_function(hub->tsfn, NULL, napi_tsfn_nonblocking);
  }
  pthread_mutex_unlock(&hub->mu);
  return true;
}

/**
 * Runs `job` on the JavaScript thread and waits for it (framework threads).
 * A job that cannot run (hub closed) leaves the caller's default result.
 */
static void hubCall(VMHub *hub, VMJob job) {
  if (pthread_equal(pthread_self(), hub->jsThread)) {
    // Only reachable if the framework calls a block synchronously on the
    // thread that called it; every framework call is made off this thread
    // (hubRunOff), so this is a safety net, not a path we expect.
    napi_handle_scope scope;
    napi_open_handle_scope(hub->env, &scope);
    job(hub->env, false);
    napi_close_handle_scope(hub->env, scope);
    return;
  }
  // UNVERIFIED: the framework tolerates its blocks waiting for the
  // JavaScript thread (at worst until the event loop's next turn, when no
  // MMIO access is in flight to drain the jobs sooner).
  dispatch_semaphore_t done = dispatch_semaphore_create(0);
  VMJob signalling = ^(napi_env env, bool cancelled) {
    job(env, cancelled);
    dispatch_semaphore_signal(done);
  };
  if (!hubPost(hub, signalling)) return;
  dispatch_semaphore_wait(done, DISPATCH_TIME_FOREVER);
}

/** After calling into JavaScript from a job: moves a thrown exception where it belongs. */
static void hubCatch(VMHub *hub, napi_env env) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) return;
  napi_value err;
  napi_get_and_clear_last_exception(env, &err);
  if (hub->depth > 0) {
    // Rethrown to the JavaScript caller of the synchronous call (hubRunOff).
    if (!hub->error) napi_create_reference(env, err, 1, &hub->error);
  } else {
    napi_fatal_exception(env, err); // an event-loop callback threw: 'uncaughtException'
  }
}

/**
 * JavaScript thread: runs `work` (a framework call) on a global dispatch
 * queue and runs posted jobs until it is done. Returns false with a pending
 * JavaScript exception if a callback threw meanwhile.
 */
static bool hubRunOff(VMHub *hub, napi_env env, dispatch_block_t work) {
  if (!pthread_equal(pthread_self(), hub->jsThread)) {
    napi_throw_error(env, NULL, "vmapple_pvg: called from a thread other than the one that created the bridge");
    return false;
  }
  __block bool done = false; // guarded by hub->mu
  hub->depth++;
  dispatch_async(dispatch_get_global_queue(QOS_CLASS_DEFAULT, 0), ^{
    @autoreleasepool {
      work();
    }
    pthread_mutex_lock(&hub->mu);
    done = true;
    pthread_cond_broadcast(&hub->cv);
    pthread_mutex_unlock(&hub->mu);
  });
  for (;;) {
    pthread_mutex_lock(&hub->mu);
    while (!done && hub->jobs.count == 0) pthread_cond_wait(&hub->cv, &hub->mu);
    NSArray<VMJob> *taken = hubTake(hub);
    bool finished = done;
    pthread_mutex_unlock(&hub->mu);
    if (taken) hubRun(env, taken);
    if (finished) break;
  }
  hub->depth--;
  if (hub->error) {
    napi_value err;
    napi_get_reference_value(env, hub->error, &err);
    napi_delete_reference(env, hub->error);
    hub->error = NULL;
    napi_throw(env, err);
    return false;
  }
  return true;
}

/** Environment teardown: no more jobs; waiting framework threads get their default results. */
static void hubClose(VMHub *hub) {
  pthread_mutex_lock(&hub->mu);
  if (hub->closed) {
    pthread_mutex_unlock(&hub->mu);
    return;
  }
  hub->closed = true;
  NSArray<VMJob> *taken = hubTake(hub);
  napi_release_threadsafe_function(hub->tsfn, napi_tsfn_abort);
  pthread_mutex_unlock(&hub->mu);
  for (VMJob job in taken) job(NULL, true);
}

static void hubCleanupHook(void *arg) {
  VMHub *hub = (__bridge_transfer VMHub *)arg;
  hubClose(hub);
}

/* ---- N-API helpers ---- */

static napi_value throwLast(napi_env env, const char *what) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    const napi_extended_error_info *info = NULL;
    napi_get_last_error_info(env, &info);
    char msg[256];
    snprintf(msg, sizeof msg, "vmapple_pvg: %s failed (%s)", what,
             info && info->error_message ? info->error_message : "N-API error");
    napi_throw_error(env, NULL, msg);
  }
  return NULL;
}

#define NAPI_OK(call, what)                                                                                            \
  do {                                                                                                                 \
    if ((call) != napi_ok) return throwLast(env, what);                                                                \
  } while (0)

static napi_value undefinedValue(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

static napi_value numberValue(napi_env env, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  return n;
}

static napi_value boolValue(napi_env env, bool v) {
  napi_value b;
  napi_get_boolean(env, v, &b);
  return b;
}

static bool getNumber(napi_env env, napi_value v, double *out) {
  napi_valuetype t;
  if (!v || napi_typeof(env, v, &t) != napi_ok || t != napi_number) return false;
  return napi_get_value_double(env, v, out) == napi_ok;
}

static bool getNamedNumber(napi_env env, napi_value obj, const char *key, double *out) {
  napi_valuetype t;
  if (!obj || napi_typeof(env, obj, &t) != napi_ok || t != napi_object) return false;
  napi_value v;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok) return false;
  return getNumber(env, v, out);
}

static bool isTrue(napi_env env, napi_value v) {
  napi_valuetype t;
  bool b = false;
  if (!v || napi_typeof(env, v, &t) != napi_ok || t != napi_boolean) return false;
  napi_get_value_bool(env, v, &b);
  return b;
}

static bool hasMethod(napi_env env, napi_value obj, const char *name) {
  napi_valuetype t;
  napi_value fn;
  if (napi_typeof(env, obj, &t) != napi_ok || t != napi_object) return false;
  if (napi_get_named_property(env, obj, name, &fn) != napi_ok) return false;
  return napi_typeof(env, fn, &t) == napi_ok && t == napi_function;
}

/** Calls `ref.name(...args)`; NULL if the reference is gone or the call threw (the exception stays pending). */
static napi_value callMethod(napi_env env, VMRef *ref, const char *name, size_t argc, napi_value *argv) {
  if (!ref || !ref->ref) return NULL;
  napi_value obj, fn, result;
  if (napi_get_reference_value(env, ref->ref, &obj) != napi_ok || !obj) return NULL;
  if (napi_get_named_property(env, obj, name, &fn) != napi_ok) return NULL;
  if (napi_call_function(env, obj, fn, argc, argv, &result) != napi_ok) return NULL;
  return result;
}

/** NSNumber arguments: CFBoolean ones become JavaScript booleans, the others numbers. */
static napi_value callWith(napi_env env, VMHub *hub, VMRef *ref, const char *name, NSArray<NSNumber *> *args) {
  napi_value argv[8];
  size_t argc = args.count < 8 ? args.count : 8;
  for (size_t i = 0; i < argc; i++) {
    NSNumber *n = args[i];
    argv[i] = CFGetTypeID((__bridge CFTypeRef)n) == CFBooleanGetTypeID() ? boolValue(env, n.boolValue)
                                                                          : numberValue(env, n.doubleValue);
  }
  napi_value r = callMethod(env, ref, name, argc, argv);
  hubCatch(hub, env);
  return r;
}

/** Fire-and-forget `ref.name(...args)` on the JavaScript thread. */
static void postCall(VMHub *hub, VMRef *ref, const char *name, NSArray<NSNumber *> *args) {
  hubPost(hub, ^(napi_env env, bool cancelled) {
    if (!cancelled) (void)callWith(env, hub, ref, name, args);
  });
}

/**
 * Asks TypeScript (`host.ramView`) for the guest RAM behind
 * [physicalAddress, +length): a Uint8Array viewing exactly those bytes, or
 * null. Returns its data pointer, valid as long as the RAM buffer lives.
 */
static uint8_t *ramView(napi_env env, VMHub *hub, VMRef *host, uint64_t physicalAddress, uint64_t length,
                        bool writable) {
  napi_value r = callWith(env, hub, host, "ramView", @[ @(physicalAddress), @(length), @(writable) ]);
  bool isTyped = false;
  if (!r || napi_is_typedarray(env, r, &isTyped) != napi_ok || !isTyped) return NULL;
  napi_typedarray_type type;
  size_t count;
  void *data = NULL;
  napi_value buffer;
  size_t byteOffset;
  if (napi_get_typedarray_info(env, r, &type, &count, &data, &buffer, &byteOffset) != napi_ok) return NULL;
  if (type != napi_uint8_array || count < length || !data) return NULL;
  return (uint8_t *)data; // N-API: already adjusted by byteOffset
}

static napi_value copyToUint8Array(napi_env env, const void *bytes, size_t length) {
  void *data = NULL;
  napi_value ab, u8;
  if (napi_create_arraybuffer(env, length, &data, &ab) != napi_ok) return NULL;
  if (length) memcpy(data, bytes, length);
  if (napi_create_typedarray(env, napi_uint8_array, length, ab, 0, &u8) != napi_ok) return NULL;
  return u8;
}

/* ---- Holders behind the JavaScript objects ---- */

@interface VMBridge : NSObject {
@public
  VMHub *hub;
  napi_ref host; // { ramView(physicalAddress, length, writable): Uint8Array | null }
}
@end
@implementation VMBridge
@end

@class VMDisplay;

@interface VMDevice : NSObject {
@public
  VMHub *hub;
  VMRef *callbacks;
  VMRef *host;
  id<PGDevice> device;
  id<MTLDevice> mtl;
  id<MTLCommandQueue> commandQueue;
  VMDisplay *display;
  size_t mmioLength;
}
@end
@implementation VMDevice
@end

@interface VMDisplay : NSObject {
@public
  VMHub *hub;
  VMRef *callbacks;
  id<PGDisplay> display;
  id<MTLDevice> mtl;
  id<MTLCommandQueue> commandQueue;
  dispatch_queue_t callbackQueue;
  dispatch_queue_t renderQueue;
  id<MTLTexture> texture; // renderQueue only
}
@end
@implementation VMDisplay
@end

@interface VMIosfc : NSObject {
@public
  VMHub *hub;
  VMRef *callbacks;
  VMRef *host;
  id<VMIosfcDevice> device;
}
@end
@implementation VMIosfc
@end

/** The task record handed to the framework as PGTask_t*: the TypeScript task id and the real reservation. */
struct PGTask_s {
  double id;
  mach_vm_address_t base;
  mach_vm_size_t size;
};

/**
 * Finalizer of every wrapped object: drop its JavaScript references here (on
 * the JavaScript thread) and let a background queue release the framework
 * objects, whose teardown may call blocks that wait for this thread.
 */
static void finalizeHolder(napi_env env, void *data, void *hint) {
  (void)hint;
  id holder = (__bridge_transfer id)data;
  if ([holder isKindOfClass:[VMBridge class]]) {
    VMBridge *b = holder;
    if (b->host) napi_delete_reference(env, b->host);
    b->host = NULL;
  } else if ([holder isKindOfClass:[VMDevice class]]) {
    VMDevice *d = holder;
    refDrop(env, d->callbacks);
    refDrop(env, d->host);
    if (d->display) refDrop(env, d->display->callbacks);
  } else if ([holder isKindOfClass:[VMIosfc class]]) {
    VMIosfc *s = holder;
    refDrop(env, s->callbacks);
    refDrop(env, s->host);
  } else if ([holder isKindOfClass:[VMDisplay class]]) {
    refDrop(env, ((VMDisplay *)holder)->callbacks);
  }
  dispatch_async(dispatch_get_global_queue(QOS_CLASS_DEFAULT, 0), ^{
    (void)holder; // last release happens here, off the JavaScript thread
  });
}

static napi_value wrapHolder(napi_env env, id holder, const napi_property_descriptor *props, size_t count) {
  napi_value obj;
  NAPI_OK(napi_create_object(env, &obj), "napi_create_object");
  NAPI_OK(napi_define_properties(env, obj, count, props), "napi_define_properties");
  void *raw = (__bridge_retained void *)holder;
  if (napi_wrap(env, obj, raw, finalizeHolder, NULL, NULL) != napi_ok) {
    (void)(__bridge_transfer id)raw;
    return throwLast(env, "napi_wrap");
  }
  return obj;
}

/** `this` of a method call as a holder of class `cls`, or NULL with a TypeError pending. */
static id thisHolder(napi_env env, napi_callback_info info, Class cls, size_t *argc, napi_value *argv) {
  napi_value self;
  void *raw = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok || napi_unwrap(env, self, &raw) != napi_ok ||
      !raw || ![(__bridge id)raw isKindOfClass:cls]) {
    napi_throw_type_error(env, NULL, "vmapple_pvg: method called on the wrong object");
    return nil;
  }
  return (__bridge id)raw;
}

#define METHOD(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_default, NULL}
#define VALUE(name, v) {name, NULL, NULL, NULL, NULL, v, napi_enumerable, NULL}

/* ---- Metal device choice (spec §8.1) ---- */

static id<MTLDevice> pickMetalDevice(void) {
  NSArray<id<MTLDevice>> *all = MTLCopyAllDevices();
  for (id<MTLDevice> d in all) {
    if (d.hasUnifiedMemory) return d;
  }
  id<MTLDevice> chosen = nil;
  for (id<MTLDevice> d in all) {
    if (!d.isRemovable) chosen = d;
  }
  return chosen ?: MTLCreateSystemDefaultDevice();
}

/* ---- Task memory (Mach VM) ---- */

// UNVERIFIED: the framework's task offsets and range lengths are multiples
// of the host page size (16 KiB on Apple silicon); anything else is refused
// here, because mach_vm_remap/allocate work on whole pages.
static bool taskRangeOk(const struct PGTask_s *t, uint64_t offset, uint64_t length) {
  uint64_t page = vm_page_size;
  if (length == 0 || offset > t->size || length > t->size - offset) return false;
  return ((offset | length) & (page - 1)) == 0;
}

/** Shares `length` bytes at `src` (guest RAM) into the task at `offset` (spec §8.1: shared, not copied). */
static bool taskRemap(const struct PGTask_s *t, uint64_t offset, const uint8_t *src, uint64_t length, bool readOnly) {
  if (!src || !taskRangeOk(t, offset, length) || ((uintptr_t)src & (vm_page_size - 1)) != 0) return false;
  mach_vm_address_t target = t->base + offset;
  vm_prot_t cur = VM_PROT_NONE, max = VM_PROT_NONE;
  // UNVERIFIED: mach_vm_remap on a V8 ArrayBuffer backing store (malloc'd or
  // mmap'd by Node, or RAM allocated natively for HVF) shares its pages; the
  // buffer must be page-aligned, which a plain `new ArrayBuffer` may not be
  // (then the mapping is refused above).
  kern_return_t kr = mach_vm_remap(mach_task_self(), &target, length, 0, VM_FLAGS_FIXED | VM_FLAGS_OVERWRITE,
                                   mach_task_self(), (mach_vm_address_t)(uintptr_t)src, FALSE, &cur, &max,
                                   VM_INHERIT_DEFAULT);
  if (kr != KERN_SUCCESS || target != t->base + offset) return false;
  if (readOnly) kr = mach_vm_protect(mach_task_self(), target, length, FALSE, VM_PROT_READ);
  return kr == KERN_SUCCESS;
}

/** Fresh zero pages over [offset, +length) of the task. */
static bool taskZero(const struct PGTask_s *t, uint64_t offset, uint64_t length) {
  if (!taskRangeOk(t, offset, length)) return false;
  mach_vm_address_t target = t->base + offset;
  return mach_vm_allocate(mach_task_self(), &target, length, VM_FLAGS_FIXED | VM_FLAGS_OVERWRITE) == KERN_SUCCESS;
}

/* ---- PGDevice ---- */

static VMDevice *deviceOf(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  VMDevice *d = thisHolder(env, info, [VMDevice class], argc, argv);
  if (d && !d->device) {
    napi_throw_error(env, NULL, "vmapple_pvg: the device was destroyed");
    return nil;
  }
  return d;
}

/* mmioRead(offset) / mmioWrite(offset, value) on either device, run off the JavaScript thread. */
static napi_value mmioRead(napi_env env, VMHub *hub, id<VMMmio> dev, size_t argc, napi_value *argv) {
  double offset;
  if (argc < 1 || !getNumber(env, argv[0], &offset)) {
    napi_throw_type_error(env, NULL, "vmapple_pvg: mmioRead(offset)");
    return NULL;
  }
  __block uint32_t value = 0;
  if (!hubRunOff(hub, env, ^{
        value = [dev mmioReadAtOffset:(size_t)offset];
      }))
    return NULL;
  return numberValue(env, value);
}

static napi_value mmioWrite(napi_env env, VMHub *hub, id<VMMmio> dev, size_t argc, napi_value *argv) {
  double offset, value;
  if (argc < 2 || !getNumber(env, argv[0], &offset) || !getNumber(env, argv[1], &value)) {
    napi_throw_type_error(env, NULL, "vmapple_pvg: mmioWrite(offset, value)");
    return NULL;
  }
  uint32_t v = (uint32_t)(uint64_t)value;
  if (!hubRunOff(hub, env, ^{
        [dev mmioWriteAtOffset:(size_t)offset value:v];
      }))
    return NULL;
  return undefinedValue(env);
}

static napi_value deviceMmioRead(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  VMDevice *d = deviceOf(env, info, &argc, argv);
  return d ? mmioRead(env, d->hub, (id<VMMmio>)d->device, argc, argv) : NULL;
}

static napi_value deviceMmioWrite(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  VMDevice *d = deviceOf(env, info, &argc, argv);
  return d ? mmioWrite(env, d->hub, (id<VMMmio>)d->device, argc, argv) : NULL;
}

static napi_value deviceReset(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  VMDevice *d = deviceOf(env, info, &argc, NULL);
  if (!d) return NULL;
  id<PGDevice> dev = d->device;
  // Without -reset (older frameworks), a device reset forwards nothing.
  if (![dev respondsToSelector:@selector(reset)]) return undefinedValue(env);
  if (!hubRunOff(d->hub, env, ^{
        [(id<VMResettable>)dev reset];
      }))
    return NULL;
  return undefinedValue(env);
}

static napi_value deviceDestroy(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  VMDevice *d = thisHolder(env, info, [VMDevice class], &argc, NULL);
  if (!d) return NULL;
  if (!d->device) return undefinedValue(env);
  VMDisplay *x = d->display;
  if (x) refDrop(env, x->callbacks);
  refDrop(env, d->callbacks);
  refDrop(env, d->host);
  // Releasing the display emulates a hot-unplug; both releases may call back.
  if (!hubRunOff(d->hub, env, ^{
        if (x) x->display = nil;
        d->display = nil;
        d->device = nil;
      }))
    return NULL;
  return undefinedValue(env);
}

/* ---- PGDisplay ---- */

static VMDisplay *displayOf(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  VMDisplay *x = thisHolder(env, info, [VMDisplay class], argc, argv);
  if (x && !x->display) {
    napi_throw_error(env, NULL, "vmapple_pvg: the display was destroyed");
    return nil;
  }
  return x;
}

static napi_value displaySetModeList(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  VMDisplay *x = displayOf(env, info, &argc, argv);
  if (!x) return NULL;
  bool isArray = false;
  if (argc < 1 || napi_is_array(env, argv[0], &isArray) != napi_ok || !isArray) {
    napi_throw_type_error(env, NULL, "vmapple_pvg: setModeList(modes)");
    return NULL;
  }
  uint32_t n = 0;
  napi_get_array_length(env, argv[0], &n);
  NSMutableArray<PGDisplayMode *> *modes = [NSMutableArray arrayWithCapacity:n];
  for (uint32_t i = 0; i < n; i++) {
    napi_value m;
    double w, h, hz;
    NAPI_OK(napi_get_element(env, argv[0], i, &m), "napi_get_element");
    if (!getNamedNumber(env, m, "width", &w) || !getNamedNumber(env, m, "height", &h) ||
        !getNamedNumber(env, m, "refreshRateHz", &hz)) {
      napi_throw_type_error(env, NULL, "vmapple_pvg: a mode is { width, height, refreshRateHz }");
      return NULL;
    }
    // Range checks (1..65535) are TypeScript's (display-modes.ts).
    PGDisplayCoord_t size = {.x = (uint16_t)w, .y = (uint16_t)h};
    PGDisplayMode *mode = [[PGDisplayMode alloc] initWithSizeInPixels:size refreshRateInHz:hz];
    if (mode) [modes addObject:mode];
  }
  id<PGDisplay> disp = x->display;
  if (!hubRunOff(x->hub, env, ^{
        disp.modeList = modes;
      }))
    return NULL;
  return undefinedValue(env);
}

static napi_value displayCursorPosition(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  VMDisplay *x = displayOf(env, info, &argc, NULL);
  if (!x) return NULL;
  // UNVERIFIED: reading cursorPosition from any thread is safe (the header
  // calls it "a low overhead mechanism to sample cursor location").
  PGDisplayCoord_t p = x->display.cursorPosition;
  napi_value out;
  NAPI_OK(napi_create_object(env, &out), "napi_create_object");
  napi_set_named_property(env, out, "x", numberValue(env, p.x));
  napi_set_named_property(env, out, "y", numberValue(env, p.y));
  return out;
}

/** Resolves (bytes) or rejects (message) `deferred` on the JavaScript thread. */
static void settleFrame(VMHub *hub, napi_deferred deferred, NSData *bytes, NSString *failure) {
  hubPost(hub, ^(napi_env env, bool cancelled) {
    if (cancelled) return; // the environment is gone with its promise
    if (bytes) {
      napi_value u8 = copyToUint8Array(env, bytes.bytes, bytes.length);
      if (u8) {
        napi_resolve_deferred(env, deferred, u8);
        return;
      }
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      if (pending) {
        napi_value ignored;
        napi_get_and_clear_last_exception(env, &ignored);
      }
    }
    napi_value msg, err;
    napi_create_string_utf8(env, (failure ?: @"vmapple_pvg: frame copy failed").UTF8String, NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &err);
    napi_reject_deferred(env, deferred, err);
  });
}

static napi_value displayEncodeFrame(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  VMDisplay *x = displayOf(env, info, &argc, argv);
  if (!x) return NULL;
  double wd, hd;
  if (argc < 2 || !getNumber(env, argv[0], &wd) || !getNumber(env, argv[1], &hd) || wd < 1 || hd < 1 ||
      wd > 65535 || hd > 65535) {
    napi_throw_type_error(env, NULL, "vmapple_pvg: encodeFrame(width, height) with sizes 1..65535");
    return NULL;
  }
  NSUInteger w = (NSUInteger)wd, h = (NSUInteger)hd;
  napi_deferred deferred;
  napi_value promise;
  NAPI_OK(napi_create_promise(env, &deferred, &promise), "napi_create_promise");
  VMHub *hub = x->hub;
  id<PGDisplay> disp = x->display;
  id<MTLDevice> mtl = x->mtl;
  id<MTLCommandQueue> queue = x->commandQueue;
  dispatch_async(x->renderQueue, ^{
    @autoreleasepool {
      id<MTLTexture> texture = x->texture;
      if (!texture || texture.width != w || texture.height != h) {
        MTLTextureDescriptor *td = [MTLTextureDescriptor texture2DDescriptorWithPixelFormat:MTLPixelFormatBGRA8Unorm
                                                                                      width:w
                                                                                     height:h
                                                                                  mipmapped:NO];
        td.usage = disp.minimumTextureUsage;
        // UNVERIFIED: Shared storage for a texture the framework renders into
        // on unified-memory GPUs, Managed (plus synchronizeResource) otherwise.
        td.storageMode = mtl.hasUnifiedMemory ? MTLStorageModeShared : MTLStorageModeManaged;
        texture = [mtl newTextureWithDescriptor:td];
        x->texture = texture;
      }
      if (!texture) {
        settleFrame(hub, deferred, nil, @"vmapple_pvg: cannot create the frame texture");
        return;
      }
      id<MTLCommandBuffer> cb = [queue commandBuffer];
      // UNVERIFIED: calling encodeCurrentFrameToCommandBuffer from a queue
      // other than the display's callback queue is allowed.
      if (!cb || ![disp encodeCurrentFrameToCommandBuffer:cb texture:texture region:MTLRegionMake2D(0, 0, w, h)]) {
        settleFrame(hub, deferred, nil, @"vmapple_pvg: encodeCurrentFrameToCommandBuffer failed");
        return;
      }
      if (texture.storageMode == MTLStorageModeManaged) {
        id<MTLBlitCommandEncoder> blit = [cb blitCommandEncoder];
        [blit synchronizeResource:texture];
        [blit endEncoding];
      }
      [cb addCompletedHandler:^(id<MTLCommandBuffer> done) {
        if (done.status != MTLCommandBufferStatusCompleted) {
          settleFrame(hub, deferred, nil, @"vmapple_pvg: the frame's command buffer failed");
          return;
        }
        NSMutableData *bytes = [NSMutableData dataWithLength:w * h * 4];
        [texture getBytes:bytes.mutableBytes
              bytesPerRow:w * 4
               fromRegion:MTLRegionMake2D(0, 0, w, h)
              mipmapLevel:0];
        settleFrame(hub, deferred, bytes, nil);
      }];
      [cb commit];
    }
  });
  return promise;
}

static napi_value deviceNewDisplay(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  VMDevice *d = deviceOf(env, info, &argc, argv);
  if (!d) return NULL;
  double wmm, hmm, port, serial;
  char name[64] = "";
  size_t nameLen = 0;
  napi_value nameValue;
  if (argc < 2 || !getNamedNumber(env, argv[0], "widthMm", &wmm) || !getNamedNumber(env, argv[0], "heightMm", &hmm) ||
      !getNamedNumber(env, argv[0], "port", &port) || !getNamedNumber(env, argv[0], "serialNumber", &serial) ||
      napi_get_named_property(env, argv[0], "name", &nameValue) != napi_ok ||
      napi_get_value_string_utf8(env, nameValue, name, sizeof name, &nameLen) != napi_ok) {
    napi_throw_type_error(env, NULL, "vmapple_pvg: newDisplay({ name, widthMm, heightMm, port, serialNumber }, callbacks)");
    return NULL;
  }
  static const char *const needed[] = {"newFrame", "modeChange", "cursorGlyph", "cursorShow", "cursorMove"};
  for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
    if (!hasMethod(env, argv[1], needed[i])) {
      napi_throw_type_error(env, NULL, "vmapple_pvg: newDisplay: callbacks lack a PvgDisplayCallbacks method");
      return NULL;
    }
  }
  VMHub *hub = d->hub;
  VMDisplay *x = [VMDisplay new];
  x->hub = hub;
  x->callbacks = refNew(env, argv[1]);
  x->mtl = d->mtl;
  x->commandQueue = d->commandQueue;
  x->callbackQueue = dispatch_queue_create("vmapple.pvg.display", DISPATCH_QUEUE_SERIAL);
  x->renderQueue = dispatch_queue_create("vmapple.pvg.render", DISPATCH_QUEUE_SERIAL);
  VMRef *cbs = x->callbacks;

  PGDisplayDescriptor *dd = [PGDisplayDescriptor new];
  dd.name = [NSString stringWithUTF8String:name];
  dd.sizeInMillimeters = NSMakeSize(wmm, hmm);
  dd.queue = x->callbackQueue;
  dd.newFrameEventHandler = ^{
    postCall(hub, cbs, "newFrame", @[]);
  };
  dd.modeChangeHandler = ^(PGDisplayCoord_t size, OSType pixelFormat) {
    (void)pixelFormat; // ignored (spec §8.1)
    postCall(hub, cbs, "modeChange", @[ @(size.x), @(size.y) ]);
  };
  dd.cursorGlyphHandler = ^(NSBitmapImageRep *glyph, PGDisplayCoord_t hotSpot) {
    // Copy now: the image belongs to the framework. Format checks are TypeScript's (FramePump.cursorGlyph).
    NSInteger stride = glyph.bytesPerRow, height = glyph.pixelsHigh, width = glyph.pixelsWide;
    NSInteger bpp = glyph.bitsPerPixel;
    unsigned char *bits = glyph.bitmapData;
    NSData *copy = (bits && stride > 0 && height > 0) ? [NSData dataWithBytes:bits length:(NSUInteger)(stride * height)]
                                                     : [NSData data];
    uint16_t hx = hotSpot.x, hy = hotSpot.y;
    hubPost(hub, ^(napi_env env, bool cancelled) {
      if (cancelled) return;
      napi_value bitmap, argv3[3];
      napi_value data = copyToUint8Array(env, copy.bytes, copy.length);
      if (!data || napi_create_object(env, &bitmap) != napi_ok) {
        hubCatch(hub, env);
        return;
      }
      napi_set_named_property(env, bitmap, "data", data);
      napi_set_named_property(env, bitmap, "width", numberValue(env, (double)width));
      napi_set_named_property(env, bitmap, "height", numberValue(env, (double)height));
      napi_set_named_property(env, bitmap, "stride", numberValue(env, (double)stride));
      napi_set_named_property(env, bitmap, "bitsPerPixel", numberValue(env, (double)bpp));
      argv3[0] = bitmap;
      argv3[1] = numberValue(env, hx);
      argv3[2] = numberValue(env, hy);
      (void)callMethod(env, cbs, "cursorGlyph", 3, argv3);
      hubCatch(hub, env);
    });
  };
  dd.cursorShowHandler = ^(BOOL show) {
    postCall(hub, cbs, "cursorShow", @[ [NSNumber numberWithBool:show ? YES : NO] ]);
  };
  dd.cursorMoveHandler = ^{
    postCall(hub, cbs, "cursorMove", @[]);
  };

  id<PGDevice> dev = d->device;
  NSUInteger p = (NSUInteger)port;
  uint32_t sn = (uint32_t)serial;
  __block id<PGDisplay> disp = nil;
  if (!hubRunOff(hub, env, ^{
        disp = [dev newDisplayWithDescriptor:dd port:p serialNum:sn];
      })) {
    refDrop(env, cbs);
    return NULL;
  }
  if (!disp) {
    refDrop(env, cbs);
    napi_throw_error(env, NULL, "vmapple_pvg: newDisplayWithDescriptor:port:serialNum: returned nil");
    return NULL;
  }
  x->display = disp;
  d->display = x;
  napi_property_descriptor props[] = {
      METHOD("setModeList", displaySetModeList),
      METHOD("cursorPosition", displayCursorPosition),
      METHOD("encodeFrame", displayEncodeFrame),
  };
  return wrapHolder(env, x, props, sizeof props / sizeof props[0]);
}

/* ---- PvgBridge.createDevice ---- */

static napi_value bridgeCreateDevice(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  VMBridge *b = thisHolder(env, info, [VMBridge class], &argc, argv);
  if (!b) return NULL;
  bool usingIOSurfaceMapper = false;
  napi_value flag;
  if (argc < 2 || napi_get_named_property(env, argv[0], "usingIOSurfaceMapper", &flag) != napi_ok) {
    napi_throw_type_error(env, NULL, "vmapple_pvg: createDevice(options, callbacks)");
    return NULL;
  }
  usingIOSurfaceMapper = isTrue(env, flag);
  static const char *const needed[] = {"createTask", "destroyTask", "mapMemory", "unmapMemory", "readMemory",
                                       "raiseInterrupt"};
  for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
    if (!hasMethod(env, argv[1], needed[i])) {
      napi_throw_type_error(env, NULL, "vmapple_pvg: createDevice: callbacks lack a PvgDeviceCallbacks method");
      return NULL;
    }
  }
  napi_value hostValue;
  NAPI_OK(napi_get_reference_value(env, b->host, &hostValue), "napi_get_reference_value");

  VMHub *hub = b->hub;
  VMDevice *d = [VMDevice new];
  d->hub = hub;
  d->mtl = pickMetalDevice();
  if (!d->mtl) {
    napi_throw_error(env, NULL, "vmapple_pvg: no Metal device");
    return NULL;
  }
  d->commandQueue = [d->mtl newCommandQueue];
  d->callbacks = refNew(env, argv[1]);
  d->host = refNew(env, hostValue);
  VMRef *cbs = d->callbacks;
  VMRef *host = d->host;

  PGDeviceDescriptor *desc = [PGDeviceDescriptor new];
  desc.device = d->mtl;
  if (usingIOSurfaceMapper) {
    if (![desc respondsToSelector:@selector(setUsingIOSurfaceMapper:)]) {
      refDrop(env, cbs);
      refDrop(env, host);
      napi_throw_error(env, NULL,
                       "vmapple_pvg: this ParavirtualizedGraphics has no usingIOSurfaceMapper (the MMIO variant needs it)");
      return NULL;
    }
    desc.usingIOSurfaceMapper = YES;
  }

  desc.createTask = ^PGTask_t *(uint64_t vmSize, void **baseAddress) {
    __block bool ok = false;
    __block double taskId = 0;
    hubCall(hub, ^(napi_env env, bool cancelled) {
      if (cancelled) return;
      napi_value r = callWith(env, hub, cbs, "createTask", @[ @(vmSize) ]);
      ok = getNamedNumber(env, r, "task", &taskId);
    });
    if (!ok) return NULL;
    // TypeScript's baseAddress is bookkeeping only; the framework gets a real reservation.
    mach_vm_address_t base = 0;
    if (vmSize == 0 || mach_vm_allocate(mach_task_self(), &base, vmSize, VM_FLAGS_ANYWHERE) != KERN_SUCCESS) {
      postCall(hub, cbs, "destroyTask", @[ @(taskId) ]);
      return NULL;
    }
    struct PGTask_s *t = calloc(1, sizeof *t);
    if (!t) {
      mach_vm_deallocate(mach_task_self(), base, vmSize);
      postCall(hub, cbs, "destroyTask", @[ @(taskId) ]);
      return NULL;
    }
    t->id = taskId;
    t->base = base;
    t->size = vmSize;
    *baseAddress = (void *)(uintptr_t)base;
    return t;
  };
  desc.destroyTask = ^(PGTask_t *t) {
    double taskId = t->id;
    mach_vm_deallocate(mach_task_self(), t->base, t->size);
    free(t);
    postCall(hub, cbs, "destroyTask", @[ @(taskId) ]);
  };
  desc.mapMemory = ^bool(PGTask_t *t, uint32_t rangeCount, uint64_t virtualOffset, bool readOnly,
                         PGPhysicalMemoryRange_t *ranges) {
    uint8_t **src = calloc(rangeCount ? rangeCount : 1, sizeof *src);
    if (!src) return false;
    __block bool ok = false;
    double taskId = t->id;
    hubCall(hub, ^(napi_env env, bool cancelled) {
      if (cancelled) return;
      napi_value list;
      if (napi_create_array_with_length(env, rangeCount, &list) != napi_ok) return;
      for (uint32_t i = 0; i < rangeCount; i++) {
        napi_value r;
        napi_create_object(env, &r);
        napi_set_named_property(env, r, "physicalAddress", numberValue(env, (double)ranges[i].physicalAddress));
        napi_set_named_property(env, r, "physicalLength", numberValue(env, (double)ranges[i].physicalLength));
        napi_set_element(env, list, i, r);
      }
      napi_value args[4] = {numberValue(env, taskId), numberValue(env, (double)virtualOffset), boolValue(env, readOnly),
                            list};
      ok = isTrue(env, callMethod(env, cbs, "mapMemory", 4, args));
      hubCatch(hub, env);
      for (uint32_t i = 0; i < rangeCount; i++) {
        src[i] = ramView(env, hub, host, ranges[i].physicalAddress, ranges[i].physicalLength, !readOnly);
      }
    });
    // Back to back from virtualOffset; a range that is not guest RAM is skipped (spec §8.1).
    uint64_t at = virtualOffset;
    for (uint32_t i = 0; i < rangeCount; i++) {
      uint64_t len = ranges[i].physicalLength;
      if (!taskRemap(t, at, src[i], len, readOnly)) ok = false;
      at += len;
    }
    free(src);
    return ok;
  };
  desc.unmapMemory = ^bool(PGTask_t *t, uint64_t virtualOffset, uint64_t length) {
    __block bool ok = false;
    double taskId = t->id;
    hubCall(hub, ^(napi_env env, bool cancelled) {
      if (cancelled) return;
      ok = isTrue(env, callWith(env, hub, cbs, "unmapMemory", @[ @(taskId), @(virtualOffset), @(length) ]));
    });
    return ok && taskZero(t, virtualOffset, length);
  };
  desc.readMemory = ^bool(uint64_t physicalAddress, uint64_t length, void *dst) {
    if (length > ((uint64_t)1 << 31)) return false; // larger than one ArrayBuffer we are willing to allocate
    __block bool ok = false;
    hubCall(hub, ^(napi_env env, bool cancelled) {
      if (cancelled) return;
      void *data = NULL;
      napi_value ab, u8;
      if (napi_create_arraybuffer(env, (size_t)length, &data, &ab) != napi_ok ||
          napi_create_typedarray(env, napi_uint8_array, (size_t)length, ab, 0, &u8) != napi_ok) {
        hubCatch(hub, env);
        return;
      }
      napi_value args[2] = {numberValue(env, (double)physicalAddress), u8};
      if (isTrue(env, callMethod(env, cbs, "readMemory", 2, args))) {
        if (length) memcpy(dst, data, (size_t)length);
        ok = true;
      }
      hubCatch(hub, env);
    });
    return ok;
  };
  desc.raiseInterrupt = ^(uint32_t vector) {
    postCall(hub, cbs, "raiseInterrupt", @[ @(vector) ]);
  };

  __block id<PGDevice> dev = nil;
  if (!hubRunOff(hub, env, ^{
        // UNVERIFIED: ownership of PGNewDeviceWithDescriptor's result under
        // ARC ("New" in a C function name is not an ARC convention; if it is
        // +1 and unannotated, one device object leaks per machine).
        dev = PGNewDeviceWithDescriptor(desc);
      })) {
    refDrop(env, cbs);
    refDrop(env, host);
    return NULL;
  }
  if (!dev) {
    refDrop(env, cbs);
    refDrop(env, host);
    napi_throw_error(env, NULL, "vmapple_pvg: PGNewDeviceWithDescriptor returned nil");
    return NULL;
  }
  d->device = dev;
  d->mmioLength = desc.mmioLength;
  napi_property_descriptor props[] = {
      VALUE("mmioLength", numberValue(env, (double)d->mmioLength)),
      METHOD("mmioRead", deviceMmioRead),
      METHOD("mmioWrite", deviceMmioWrite),
      METHOD("reset", deviceReset),
      METHOD("newDisplay", deviceNewDisplay),
      METHOD("destroy", deviceDestroy),
  };
  return wrapHolder(env, d, props, sizeof props / sizeof props[0]);
}

/* ---- IOSFC (private PGIOSurfaceHostDevice, spec §8.4) ---- */

static VMIosfc *iosfcOf(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  return thisHolder(env, info, [VMIosfc class], argc, argv);
}

static napi_value iosfcMmioRead(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  VMIosfc *s = iosfcOf(env, info, &argc, argv);
  return s ? mmioRead(env, s->hub, s->device, argc, argv) : NULL;
}

static napi_value iosfcMmioWrite(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  VMIosfc *s = iosfcOf(env, info, &argc, argv);
  return s ? mmioWrite(env, s->hub, s->device, argc, argv) : NULL;
}

static napi_value bridgeCreateIosfc(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  VMBridge *b = thisHolder(env, info, [VMBridge class], &argc, argv);
  if (!b) return NULL;
  if (argc < 1 || !hasMethod(env, argv[0], "mapMemory") || !hasMethod(env, argv[0], "unmapMemory") ||
      !hasMethod(env, argv[0], "raiseInterrupt")) {
    napi_throw_type_error(env, NULL, "vmapple_pvg: createIosfc(callbacks) with mapMemory, unmapMemory, raiseInterrupt");
    return NULL;
  }
  Class descClass = NSClassFromString(@"PGIOSurfaceHostDeviceDescriptor");
  Class devClass = NSClassFromString(@"PGIOSurfaceHostDevice");
  if (!descClass || !devClass) {
    napi_throw_error(env, NULL, "vmapple_pvg: this ParavirtualizedGraphics has no PGIOSurfaceHostDevice (IOSFC)");
    return NULL;
  }
  napi_value hostValue;
  NAPI_OK(napi_get_reference_value(env, b->host, &hostValue), "napi_get_reference_value");
  VMHub *hub = b->hub;
  VMIosfc *s = [VMIosfc new];
  s->hub = hub;
  s->callbacks = refNew(env, argv[0]);
  s->host = refNew(env, hostValue);
  VMRef *cbs = s->callbacks;
  VMRef *host = s->host;
  // Host pointer -> TypeScript handles (a stack per pointer: the same guest
  // range may be mapped twice). Touched by jobs only, i.e. on the JavaScript thread.
  NSMutableDictionary<NSNumber *, NSMutableArray<NSNumber *> *> *handles = [NSMutableDictionary new];

  id<VMIosfcDescriptor> desc = [descClass new];
  desc.mapMemory = ^bool(uint64_t phys, uint64_t length, bool readOnly, void **hostAddress, void *o1, void *o2) {
    (void)o1;
    (void)o2;
    __block void *ptr = NULL;
    hubCall(hub, ^(napi_env env, bool cancelled) {
      if (cancelled) return;
      double handle;
      napi_value r = callWith(env, hub, cbs, "mapMemory",
                              @[ @(phys), @(length), [NSNumber numberWithBool:readOnly ? YES : NO] ]);
      if (!getNumber(env, r, &handle)) return; // null: TypeScript refused (and logged) it
      uint8_t *p = ramView(env, hub, host, phys, length, !readOnly);
      if (!p) {
        (void)callWith(env, hub, cbs, "unmapMemory", @[ @(handle) ]);
        return;
      }
      NSNumber *key = @((uintptr_t)p);
      NSMutableArray<NSNumber *> *stack = handles[key];
      if (!stack) handles[key] = stack = [NSMutableArray new];
      [stack addObject:@(handle)];
      ptr = p;
    });
    if (!ptr) return false;
    *hostAddress = ptr;
    return true;
  };
  desc.unmapMemory = ^bool(void *hostAddress, void *o1, void *o2, void *o3, void *o4, void *o5) {
    (void)o1;
    (void)o2;
    (void)o3;
    (void)o4;
    (void)o5;
    __block bool ok = false;
    hubCall(hub, ^(napi_env env, bool cancelled) {
      if (cancelled) return;
      NSNumber *key = @((uintptr_t)hostAddress);
      NSMutableArray<NSNumber *> *stack = handles[key];
      NSNumber *handle = stack.lastObject;
      if (!handle) return; // not an address we handed out
      [stack removeLastObject];
      if (stack.count == 0) [handles removeObjectForKey:key];
      ok = isTrue(env, callWith(env, hub, cbs, "unmapMemory", @[ handle ]));
    });
    return ok;
  };
  desc.raiseInterrupt = ^bool(uint32_t vector) {
    postCall(hub, cbs, "raiseInterrupt", @[ @(vector) ]);
    return true;
  };

  __block id<VMIosfcDevice> dev = nil;
  if (!hubRunOff(hub, env, ^{
        dev = [(id<VMIosfcDevice>)[devClass alloc] initWithDescriptor:desc];
      })) {
    refDrop(env, cbs);
    refDrop(env, host);
    return NULL;
  }
  if (!dev) {
    refDrop(env, cbs);
    refDrop(env, host);
    napi_throw_error(env, NULL, "vmapple_pvg: PGIOSurfaceHostDevice initWithDescriptor: returned nil");
    return NULL;
  }
  s->device = dev;
  napi_property_descriptor props[] = {
      METHOD("mmioRead", iosfcMmioRead),
      METHOD("mmioWrite", iosfcMmioWrite),
  };
  return wrapHolder(env, s, props, sizeof props / sizeof props[0]);
}

/* ---- PvgBridge.optionRom, createBridge, probe ---- */

static napi_value bridgeOptionRom(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  VMBridge *b = thisHolder(env, info, [VMBridge class], &argc, NULL);
  if (!b) return NULL;
  @autoreleasepool {
    // UNVERIFIED: ownership of PGCopyOptionROMURL's result under ARC ("Copy"
    // in a C function name is not an ARC convention; at worst one NSURL leaks per call).
    NSURL *url = PGCopyOptionROMURL();
    NSData *rom = url ? [NSData dataWithContentsOfURL:url] : nil;
    if (!rom) {
      napi_value nul;
      napi_get_null(env, &nul);
      return nul;
    }
    napi_value u8 = copyToUint8Array(env, rom.bytes, rom.length);
    return u8 ? u8 : throwLast(env, "copying the option ROM");
  }
}

/**
 * createBridge(host): a PvgBridge. `host.ramView(physicalAddress, length,
 * writable)` returns a Uint8Array of exactly that guest RAM (or null); the
 * shim needs it to hand the framework real host addresses.
 */
static napi_value createBridge(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "napi_get_cb_info");
  if (argc < 1 || !hasMethod(env, argv[0], "ramView")) {
    napi_throw_type_error(env, NULL, "vmapple_pvg: createBridge(host) needs host.ramView(physicalAddress, length, writable)");
    return NULL;
  }
  VMBridge *b = [VMBridge new];
  VMHub *hub = [VMHub new];
  hub->env = env;
  hub->jsThread = pthread_self();
  napi_value name;
  NAPI_OK(napi_create_string_utf8(env, "vmapple_pvg", NAPI_AUTO_LENGTH, &name), "napi_create_string_utf8");
  NAPI_OK(napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, NULL, NULL, (__bridge void *)hub, hubCallJs,
                                          &hub->tsfn),
          "napi_create_threadsafe_function");
  // The bridge must not keep the process alive by itself.
  napi_unref_threadsafe_function(env, hub->tsfn);
  // The hub lives until the environment is torn down (it outlives every device's blocks).
  napi_add_env_cleanup_hook(env, hubCleanupHook, (__bridge_retained void *)hub);
  b->hub = hub;
  NAPI_OK(napi_create_reference(env, argv[0], 1, &b->host), "napi_create_reference");

  size_t mmioLength;
  @autoreleasepool {
    mmioLength = [PGDeviceDescriptor new].mmioLength; // a fresh descriptor's default (spec §8.1)
  }
  // UNVERIFIED: PG_PCI_MAX_MSI_VECTORS is a macro visible through the umbrella header.
  napi_property_descriptor props[] = {
      VALUE("mmioLength", numberValue(env, (double)mmioLength)),
      VALUE("maxMsiVectors", numberValue(env, (double)PG_PCI_MAX_MSI_VECTORS)),
      METHOD("createDevice", bridgeCreateDevice),
      METHOD("createIosfc", bridgeCreateIosfc),
      METHOD("optionRom", bridgeOptionRom),
  };
  return wrapHolder(env, b, props, sizeof props / sizeof props[0]);
}

static napi_value probe(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out, v;
  NAPI_OK(napi_create_object(env, &out), "napi_create_object");
  @autoreleasepool {
    NSURL *rom = PGCopyOptionROMURL();
    napi_set_named_property(env, out, "framework", boolValue(env, true));
    napi_create_string_utf8(env, rom ? rom.path.UTF8String : "", NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, out, "optionRomPath", v);
    id<MTLDevice> mtl = pickMetalDevice();
    napi_create_string_utf8(env, mtl ? mtl.name.UTF8String : "", NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, out, "metalDevice", v);
  }
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      METHOD("probe", probe),
      METHOD("createBridge", createBridge),
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
