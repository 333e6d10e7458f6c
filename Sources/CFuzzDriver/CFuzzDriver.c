// Declarations only (include/CFuzzDriver.h): libFuzzer's driver comes from `-sanitize=fuzzer`.
