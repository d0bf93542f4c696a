{
  "targets": [
    {
      "target_name": "vmapple_hvf",
      "conditions": [
        ["OS=='mac'", {
          "sources": ["hvf.c"],
          "libraries": ["-framework Hypervisor"],
          "xcode_settings": {
            "MACOSX_DEPLOYMENT_TARGET": "12.0",
            "OTHER_CFLAGS": ["-std=c11", "-Wall", "-Wextra"],
            "OTHER_LDFLAGS": ["-framework Hypervisor"]
          }
        }, {
          "type": "none"
        }]
      ]
    }
  ]
}
