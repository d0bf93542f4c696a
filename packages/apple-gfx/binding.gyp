{
  "targets": [
    {
      "target_name": "vmapple_pvg",
      "conditions": [
        ["OS=='mac'", {
          "sources": ["native/pvg.m"],
          "xcode_settings": {
            "MACOSX_DEPLOYMENT_TARGET": "11.0",
            "CLANG_ENABLE_OBJC_ARC": "YES",
            "OTHER_CFLAGS": ["-fobjc-arc", "-Wall", "-Wextra", "-Wno-unused-parameter"],
            "OTHER_LDFLAGS": [
              "-framework ParavirtualizedGraphics",
              "-framework Metal",
              "-framework AppKit",
              "-framework Foundation"
            ]
          }
        }, {
          "type": "none"
        }]
      ]
    }
  ]
}
