/*
 * vmapple_pvg: the macOS-only N-API shim for ParavirtualizedGraphics.framework.
 *
 * Status: STUB. It links the framework and reports what it finds
 * (`probe()`: framework present, `PGCopyOptionROMURL()` path), so a macOS
 * user can check the toolchain and the framework. It does not yet export
 * `createBridge()`; the TypeScript loader (src/node/index.ts) says so.
 *
 * The full bridge implements the `PvgBridge` interface of src/pvg-bridge.ts:
 * a PGDeviceDescriptor whose task callbacks call back into JavaScript (task
 * bookkeeping lives in TaskTable) and remap RamRegion buffers with
 * mach_vm_remap; a PGDisplayDescriptor on a private serial dispatch queue
 * (not the main queue: libuv, not Cocoa, runs Node's main thread) whose
 * callbacks reach JavaScript through thread-safe functions; MMIO forwarded
 * on a background queue; guest-memory reads served natively from the mapped
 * RAM (spec §8.1a).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#import <Foundation/Foundation.h>
#import <ParavirtualizedGraphics/ParavirtualizedGraphics.h>

static napi_value probe(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out, v;
  napi_create_object(env, &out);
  @autoreleasepool {
    NSURL *rom = PGCopyOptionROMURL();
    napi_get_boolean(env, true, &v);
    napi_set_named_property(env, out, "framework", v);
    const char *path = rom ? rom.path.UTF8String : "";
    napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, out, "optionRomPath", v);
#if !__has_feature(objc_arc)
    [rom release];
#endif
  }
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"probe", NULL, probe, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 1, props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
