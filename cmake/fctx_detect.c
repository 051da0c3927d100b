/* Compiled (not run) by cmake/FctxDetect.cmake with the *target* compiler:
 * the string below is read back from the object to learn the target's
 * architecture, ABI and binary format from its predefined macros. */
#if defined(__x86_64__) || defined(_M_X64) || defined(_M_AMD64)
#  define A "x86_64"
#  if defined(_WIN32)
#    define B "ms"
#  else
#    define B "sysv"
#  endif
#elif defined(__aarch64__) || defined(_M_ARM64)
#  define A "arm64"
#  if defined(_WIN32)
#    define B "ms"
#  else
#    define B "aapcs"
#  endif
#elif defined(__arm__) || defined(_M_ARM)
#  define A "arm"
#  define B "aapcs"
#elif defined(__riscv) && defined(__riscv_xlen) && __riscv_xlen == 64
#  define A "riscv64"
#  define B "lp64"
#elif defined(__i386__) || defined(_M_IX86)
#  define A "i386"
#  if defined(_WIN32)
#    define B "ms"
#  else
#    define B "sysv"
#  endif
#elif defined(__powerpc64__) && defined(_CALL_ELF) && _CALL_ELF == 2
#  define A "ppc64"
#  define B "elfv2"
#elif defined(__s390x__)
#  define A "s390x"
#  define B "sysv"
#elif defined(__mips64) && defined(_ABI64) && _MIPS_SIM == _ABI64
#  define A "mips64"
#  define B "n64"
#else
#  define A "unknown"
#  define B "unknown"
#endif

#if defined(__APPLE__) && defined(__MACH__)
#  define F "macho"
#elif defined(_WIN32)
#  define F "pe"
#elif defined(__ELF__)
#  define F "elf"
#else
#  define F "unknown"
#endif

const char fctx_detect_info[] = "FCTX_DETECT:" A ":" B ":" F ":END";
