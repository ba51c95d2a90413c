/* Compiler attributes used in public headers. */
#ifndef PF_ATTR_H
#define PF_ATTR_H

/* printf-style format checking; MinGW's C99 stdio (__USE_MINGW_ANSI_STDIO)
 * follows gnu_printf, which knows %zu and %lld. */
#if defined(__MINGW32__)
#define PF_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#else
#define PF_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#endif

#endif
