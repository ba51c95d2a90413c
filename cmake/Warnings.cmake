# Compiler flags shared by every target of ours (not by the dependencies).
# C only: windres (RC) must not see them.
add_library(pf_flags INTERFACE)
set(PF_C_WARNINGS -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes
  -Wmissing-prototypes -Wpointer-arith -Wvla -Wundef -Wno-unused-parameter)
if(PF_WERROR)
  list(APPEND PF_C_WARNINGS -Werror)
endif()
target_compile_options(pf_flags INTERFACE "$<$<COMPILE_LANGUAGE:C>:${PF_C_WARNINGS}>")

if(WIN32)
  target_compile_definitions(pf_flags INTERFACE
    UNICODE _UNICODE _WIN32_WINNT=0x0A00 WINVER=0x0A00 WIN32_LEAN_AND_MEAN
    __USE_MINGW_ANSI_STDIO=1)
  # One self-contained exe: no libgcc/libwinpthread DLLs, no PE timestamp.
  target_compile_options(pf_flags INTERFACE
    "$<$<COMPILE_LANGUAGE:C>:-ffunction-sections;-fdata-sections>")
  target_link_options(pf_flags INTERFACE -static -Wl,--no-insert-timestamp -Wl,--gc-sections)
else()
  target_compile_definitions(pf_flags INTERFACE _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
endif()

if(PF_SANITIZE)
  set(PF_SAN_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
  target_compile_options(pf_flags INTERFACE "$<$<COMPILE_LANGUAGE:C>:${PF_SAN_FLAGS}>")
  target_link_options(pf_flags INTERFACE -fsanitize=address,undefined)
endif()

if(PF_FUZZ)
  # Coverage instrumentation for everything the fuzz targets call into.
  target_compile_options(pf_flags INTERFACE "$<$<COMPILE_LANGUAGE:C>:-fsanitize=fuzzer-no-link>")
endif()
