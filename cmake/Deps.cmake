# libssh and OpenSSL. cmake/deps.sh fetches the pinned Debian sources and
# builds them once per key into a cache outside the tree; here we only read
# the prefix it prints and describe the libraries as one imported target.
add_library(pf_libssh INTERFACE)

if(PF_USE_SYSTEM_DEPS)
  # MSYS2 and other native Windows set-ups: the packaged static libraries.
  find_package(OpenSSL REQUIRED)
  find_package(ZLIB REQUIRED)
  find_path(LIBSSH_INCLUDE_DIR libssh/libssh.h REQUIRED)
  find_library(LIBSSH_LIBRARY NAMES libssh.a ssh REQUIRED)
  target_include_directories(pf_libssh INTERFACE ${LIBSSH_INCLUDE_DIR})
  target_link_libraries(pf_libssh INTERFACE ${LIBSSH_LIBRARY} OpenSSL::Crypto ZLIB::ZLIB)
  # Without our patches (cmake/patches): no settable channel window, and the
  # copies they remove stay.
  target_compile_definitions(pf_libssh INTERFACE PF_LIBSSH_UNPATCHED=1)
else()
  if(CMAKE_CROSSCOMPILING AND WIN32)
    set(_pf_deps_target mingw64)
  else()
    set(_pf_deps_target native)
  endif()
  message(STATUS "Dependencies: cmake/deps.sh ${_pf_deps_target} (cached after the first build)")
  execute_process(
    COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/cmake/deps.sh" ${_pf_deps_target}
    OUTPUT_VARIABLE _pf_deps_out
    RESULT_VARIABLE _pf_deps_rc)
  if(NOT _pf_deps_rc EQUAL 0)
    message(FATAL_ERROR "cmake/deps.sh ${_pf_deps_target} failed (its messages are above)")
  endif()
  string(STRIP "${_pf_deps_out}" _pf_deps_out)
  string(REGEX REPLACE ".*\n" "" PF_DEPS_PREFIX "${_pf_deps_out}")
  set(PF_DEPS_PREFIX "${PF_DEPS_PREFIX}" CACHE INTERNAL "")
  message(STATUS "Dependencies: ${PF_DEPS_PREFIX}")
  # Re-run configure when the pins, the recipe or our libssh patches change.
  file(GLOB _pf_deps_patches "${CMAKE_CURRENT_SOURCE_DIR}/cmake/patches/*.patch")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
    "${CMAKE_CURRENT_SOURCE_DIR}/cmake/deps.env" "${CMAKE_CURRENT_SOURCE_DIR}/cmake/deps.sh"
    ${_pf_deps_patches})

  target_include_directories(pf_libssh SYSTEM INTERFACE "${PF_DEPS_PREFIX}/include")
  target_link_libraries(pf_libssh INTERFACE "${PF_DEPS_PREFIX}/lib/libssh.a")
  if(WIN32)
    target_link_libraries(pf_libssh INTERFACE "${PF_DEPS_PREFIX}/lib/libcrypto.a"
      "/usr/x86_64-w64-mingw32/lib/libz.a")
  else()
    find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)
    find_package(ZLIB REQUIRED)
    find_package(Threads REQUIRED)
    target_link_libraries(pf_libssh INTERFACE OpenSSL::Crypto ZLIB::ZLIB Threads::Threads)
  endif()
endif()

target_compile_definitions(pf_libssh INTERFACE LIBSSH_STATIC)
if(WIN32)
  # libssh found MinGW's winpthreads; -static links it in (no DLL).
  target_link_libraries(pf_libssh INTERFACE ws2_32 iphlpapi crypt32 bcrypt pthread)
endif()
