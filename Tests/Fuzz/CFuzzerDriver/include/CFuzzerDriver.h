#ifndef C_FUZZER_DRIVER_H
#define C_FUZZER_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry point for programs that own `main` (compiler-rt FuzzerInterface.h).
/// Only defined when linking with `-sanitize=fuzzer`; SysdigAdapterFuzz calls it only
/// when built with `-DFUZZING`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
