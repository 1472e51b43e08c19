// SPDX-License-Identifier: MIT
#include "core/config/build_paths.h"

namespace dpg::config {

const char* source_dir() {
  return DPG_SOURCE_DIR;
}
const char* build_plugin_dir() {
  return DPG_BUILD_PLUGINDIR;
}
const char* install_data_dir() {
  return DPG_INSTALL_DATADIR;
}
const char* install_plugin_dir() {
  return DPG_INSTALL_PLUGINDIR;
}

}  // namespace dpg::config
