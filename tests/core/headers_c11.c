/* The public headers compile as strict C99 and C11 (test_headers_c99,
 * test_headers_c11 in tests/CMakeLists.txt). */
#include <fctx/fctx.h>
int main(void) { return FCTX_VERSION > 0 ? 0 : 1; }
