# SPDX-License-Identifier: MIT
# The sanitizer settings of the ASan + UBSan runs (scripts/test.sh --sanitize, scripts/fuzz.sh); sourced.
#   detect_container_overflow=0: LibTorch and Qt are prebuilt without ASan. A container that one side
#     grows and the other reads carries annotations from one side only, and ASan then reports
#     "container-overflow" on valid accesses (the ASan FAQ's false positive for partly instrumented
#     programs). Every other ASan check stays on.
#   halt_on_error / abort_on_error: the first report fails the test.
#   Leak reports pass through tests/sanitizers/lsan.supp, which names only LibTorch's and Qt's own
#   one-time allocations; UBSan reports through tests/sanitizers/ubsan.supp.
_san_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export ASAN_OPTIONS="detect_container_overflow=0:halt_on_error=1:abort_on_error=1:detect_leaks=1"
export LSAN_OPTIONS="suppressions=$_san_dir/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="suppressions=$_san_dir/ubsan.supp:print_stacktrace=1:halt_on_error=1"
unset _san_dir
