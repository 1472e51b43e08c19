# SPDX-License-Identifier: MIT
# The install layout (docs/packaging.md), read by `cmake --install` and by CPack (packaging/CPackConfig.cmake):
#   bin/dpg, bin/dpg-workbench                       RUNPATH $ORIGIN/../lib/dpg-workbench
#   lib/dpg-workbench/                               the LibTorch libraries the programs need, nothing else
#   lib/dpg-workbench/plugins/objectives/            the objective plugins (RUNPATH $ORIGIN/../..); they install
#                                                    themselves (plugins/objectives/*/CMakeLists.txt)
#   share/dpg-workbench/{models,presets,prompts}     found by core/model/resources.h through the install prefix
#   share/applications, share/metainfo, share/icons/hicolor, share/man/man1
# The programs look for their data and plugins under CMAKE_INSTALL_PREFIX (core/config/build_paths.cpp), so a
# package is built with CMAKE_INSTALL_PREFIX=/usr (scripts/package.sh).
set(DPG_PKG_LIBDIR lib/dpg-workbench)

# The programs, with the LibTorch libraries they load. Only libraries resolved inside LibTorch's own folder are
# bundled; every other library comes from a Debian package (CPack's shlibdeps and the hand-listed Depends).
set(_programs dpg)
if(TARGET dpg-workbench)
  list(APPEND _programs dpg-workbench)
endif()
set_target_properties(${_programs} PROPERTIES INSTALL_RPATH "$ORIGIN/../${DPG_PKG_LIBDIR}")
install(TARGETS ${_programs} RUNTIME_DEPENDENCY_SET dpg_torch RUNTIME DESTINATION bin)
install(RUNTIME_DEPENDENCY_SET dpg_torch
        POST_INCLUDE_REGEXES "/torch/lib/[^/]+$" POST_EXCLUDE_REGEXES ".*"
        LIBRARY DESTINATION ${DPG_PKG_LIBDIR})

# Every objective plugin (one target per plugins/objectives/<id>/) finds the same libraries two folders up.
get_property(_plugin_dirs DIRECTORY ${PROJECT_SOURCE_DIR}/plugins/objectives PROPERTY SUBDIRECTORIES)
foreach(_d ${_plugin_dirs})
  get_property(_targets DIRECTORY ${_d} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(_t ${_targets})
    get_target_property(_type ${_t} TYPE)
    if(_type STREQUAL "MODULE_LIBRARY")
      set_target_properties(${_t} PROPERTIES INSTALL_RPATH "$ORIGIN/../..")
    endif()
  endforeach()
endforeach()

install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/models ${PROJECT_SOURCE_DIR}/resources/presets
                  ${PROJECT_SOURCE_DIR}/resources/prompts
        DESTINATION share/dpg-workbench)

# Man pages, generated from the programs' own --help (packaging/make_manpage.sh), compressed as Debian wants.
set(_man_dir ${CMAKE_BINARY_DIR}/packaging/man)
set(_man_pages)
foreach(_p ${_programs})
  add_custom_command(OUTPUT ${_man_dir}/${_p}.1.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_man_dir}
    COMMAND ${PROJECT_SOURCE_DIR}/packaging/make_manpage.sh ${_p} $<TARGET_FILE:${_p}> ${_man_dir}/${_p}.1
            ${DPG_BUILD_VERSION}
    COMMAND gzip -9nf ${_man_dir}/${_p}.1
    DEPENDS ${_p} ${PROJECT_SOURCE_DIR}/packaging/make_manpage.sh
    COMMENT "Man page ${_p}(1) from ${_p} --help")
  list(APPEND _man_pages ${_man_dir}/${_p}.1.gz)
endforeach()
add_custom_target(dpg_manpages ALL DEPENDS ${_man_pages})
install(FILES ${_man_pages} DESTINATION share/man/man1)

if(TARGET dpg-workbench)
  # Desktop integration: the menu entry and the AppStream metainfo under the desktop id, the icon under its name.
  configure_file(${CMAKE_CURRENT_LIST_DIR}/metainfo.xml.in
                 ${CMAKE_BINARY_DIR}/packaging/${DPG_APP_ID}.metainfo.xml @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/packaging/${DPG_APP_ID}.metainfo.xml DESTINATION share/metainfo)
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/dpg-workbench.desktop DESTINATION share/applications
          RENAME ${DPG_APP_ID}.desktop)
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/icons/dpg-workbench.svg DESTINATION share/icons/hicolor/scalable/apps)
  foreach(_size 48 128 256)
    install(FILES ${CMAKE_CURRENT_LIST_DIR}/icons/dpg-workbench-${_size}.png
            DESTINATION share/icons/hicolor/${_size}x${_size}/apps RENAME dpg-workbench.png)
  endforeach()
endif()

install(FILES ${CMAKE_CURRENT_LIST_DIR}/copyright DESTINATION share/doc/dpg-workbench)
# LibTorch's own licence (BSD-style, with its third-party notices), from the wheel or the LibTorch it was built with.
file(GLOB _torch_licence ${TORCH_INSTALL_PREFIX}/../torch-*.dist-info/licenses/LICENSE
                         ${TORCH_INSTALL_PREFIX}/../torch-*.dist-info/LICENSE ${TORCH_INSTALL_PREFIX}/LICENSE)
if(_torch_licence)
  list(GET _torch_licence 0 _torch_licence)
  install(FILES ${_torch_licence} DESTINATION share/doc/dpg-workbench RENAME LICENSE.LibTorch)
endif()
