/* fctx/fctx.h - everything: raw contexts, stacks and fibers. */
#ifndef FCTX_FCTX_H
#define FCTX_FCTX_H
#include <fctx/config.h>
#include <fctx/context.h>
#include <fctx/stack.h>
#include <fctx/fiber.h>
#endif
