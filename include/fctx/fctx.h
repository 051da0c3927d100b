/* fctx/fctx.h - everything: configuration, raw contexts, stacks (basic and
 * extended allocators, overflow diagnosis, stack usage) and fibers. */
#ifndef FCTX_FCTX_H
#define FCTX_FCTX_H
#include <fctx/config.h>
#include <fctx/context.h>
#include <fctx/stack.h>
#include <fctx/stack_ext.h>
#include <fctx/fiber.h>
#endif
