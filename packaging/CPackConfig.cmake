# SPDX-License-Identifier: MIT
# Install layout and a Debian package (cpack -G DEB in build/). The plugins install themselves into
# lib/dpg-workbench/plugins/objectives (see plugins/objectives/*/CMakeLists.txt).
include(GNUInstallDirs)
install(TARGETS dpg RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET dpg-workbench)
  install(TARGETS dpg-workbench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/dpg-workbench.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/models ${PROJECT_SOURCE_DIR}/resources/presets
                  ${PROJECT_SOURCE_DIR}/resources/prompts
        DESTINATION ${CMAKE_INSTALL_DATADIR}/dpg-workbench)

set(CPACK_PACKAGE_NAME "dpg-workbench")
set(CPACK_PACKAGE_VENDOR "DPG Workbench")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Dataset Policy Gradient workbench: shape a model through synthetic data")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "DPG Workbench developers")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# LibTorch is not a Debian package: a .deb must also carry (or depend on) the LibTorch shared
# libraries; that step is not done yet (see docs/architecture.md).
include(CPack)
