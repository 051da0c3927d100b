/* The public headers compile as strict C11 (see tests/CMakeLists.txt). */
#include <fctx/fctx.h>
int main(void) { return FCTX_VERSION > 0 ? 0 : 1; }
