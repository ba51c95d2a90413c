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

  # What deps.sh really built (the pins, or a loudly announced fallback):
  # PF_BUILT_LIBSSH_UPSTREAM, PF_BUILT_OPENSSL_UPSTREAM, ... for the tests.
  file(STRINGS "${PF_DEPS_PREFIX}/built.env" _pf_built REGEX "^PF_BUILT_[A-Z_]+=")
  foreach(_line IN LISTS _pf_built)
    string(REGEX MATCH "^(PF_BUILT_[A-Z_]+)='(.*)'$" _ "${_line}")
    set(${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
  endforeach()
  if(PF_BUILT_FALLBACK)
    message(WARNING "Dependencies: a FALLBACK build (${PF_BUILT_FALLBACK}), not the pins in cmake/deps.env")
  else()
    foreach(_pkg LIBSSH OPENSSL)
      file(STRINGS "${CMAKE_CURRENT_SOURCE_DIR}/cmake/deps.env" _pin REGEX "^${_pkg}_DEB_VERSION=")
      string(REGEX REPLACE "^[^=]*=" "" _pin "${_pin}")
      if(NOT _pin STREQUAL PF_BUILT_${_pkg}_DEB)
        message(FATAL_ERROR "${PF_DEPS_PREFIX} holds ${_pkg} ${PF_BUILT_${_pkg}_DEB}, not the pin ${_pin}")
      endif()
    endforeach()
  endif()
  # What pf --version must print at run time (tests deps.versions, e2e.pf_version).
  string(REPLACE "." "\\." _pf_ssh_re "${PF_BUILT_LIBSSH_UPSTREAM}")
  string(REPLACE "." "\\." _pf_ossl_re "${PF_BUILT_OPENSSL_UPSTREAM}")
  set(PF_VERSIONS_REGEX
    "pf ${PROJECT_VERSION}\nlibssh ${_pf_ssh_re}/openssl[^\n]*\nOpenSSL ${_pf_ossl_re} ")

  # The same static libcrypto and libssh for both targets (the tests run
  # the crypto that ships); the prefix's headers come before the system's.
  target_include_directories(pf_libssh SYSTEM BEFORE INTERFACE "${PF_DEPS_PREFIX}/include")
  target_link_libraries(pf_libssh INTERFACE "${PF_DEPS_PREFIX}/lib/libssh.a"
    "${PF_DEPS_PREFIX}/lib/libcrypto.a")
  if(WIN32)
    target_link_libraries(pf_libssh INTERFACE "/usr/x86_64-w64-mingw32/lib/libz.a")
  else()
    find_package(ZLIB REQUIRED)
    find_package(Threads REQUIRED)
    target_link_libraries(pf_libssh INTERFACE ZLIB::ZLIB Threads::Threads)
  endif()
endif()

target_compile_definitions(pf_libssh INTERFACE LIBSSH_STATIC)
if(WIN32)
  # libssh found MinGW's winpthreads; -static links it in (no DLL).
  target_link_libraries(pf_libssh INTERFACE ws2_32 iphlpapi crypt32 bcrypt pthread)
endif()
