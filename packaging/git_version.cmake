# SPDX-License-Identifier: MIT
# Sets DPG_BUILD_VERSION and writes it into DPG_VERSION_OUT (from the template DPG_VERSION_TEMPLATE): `git describe`
# of the checkout DPG_VERSION_SRC, or DPG_VERSION_FALLBACK (the project's version) when that is not a git checkout.
# Included once at configure time (CPack's package version) and run as `cmake -P` at every build (target
# dpg_version); the output is rewritten only when the version changes, so an unchanged version recompiles nothing.
#   v1.2.0 tagged at HEAD        -> 1.2.0
#   3 commits after tag v1.2.0   -> 1.2.0+3.gabc1234
#   no v* tag                    -> FALLBACK+N.gabc1234   (N = commits in HEAD's history)
# '+' and '.' keep it a valid, increasing Debian upstream version. Uncommitted changes are not marked: a
# `--dirty` check would rewrite git's index during builds.
set(_version "${DPG_VERSION_FALLBACK}")
find_program(_git git)
if(_git AND EXISTS "${DPG_VERSION_SRC}/.git")
  execute_process(COMMAND ${_git} describe --tags --match "v[0-9]*" WORKING_DIRECTORY ${DPG_VERSION_SRC}
                  OUTPUT_VARIABLE _d RESULT_VARIABLE _rc ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(_rc EQUAL 0)
    string(REGEX REPLACE "^v" "" _d "${_d}")
    string(REGEX REPLACE "-([0-9]+)-(g[0-9a-f]+)$" "+\\1.\\2" _version "${_d}")
  else()
    execute_process(COMMAND ${_git} describe --always --abbrev=7 WORKING_DIRECTORY ${DPG_VERSION_SRC}
                    OUTPUT_VARIABLE _hash RESULT_VARIABLE _rc1 ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
    execute_process(COMMAND ${_git} rev-list --count HEAD WORKING_DIRECTORY ${DPG_VERSION_SRC}
                    OUTPUT_VARIABLE _count RESULT_VARIABLE _rc2 ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(_rc1 EQUAL 0 AND _rc2 EQUAL 0)
      set(_version "${DPG_VERSION_FALLBACK}+${_count}.g${_hash}")
    endif()
  endif()
endif()
set(DPG_BUILD_VERSION "${_version}")
configure_file(${DPG_VERSION_TEMPLATE} ${DPG_VERSION_OUT} @ONLY)
