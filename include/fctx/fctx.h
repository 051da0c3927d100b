/* fctx/fctx.h - everything: configuration, raw contexts, stacks (basic and
 * extended allocators, overflow diagnosis, stack usage), fibers and shared
 * stacks. */
#ifndef FCTX_FCTX_H
#define FCTX_FCTX_H
#include <fctx/config.h>
#include <fctx/context.h>
#include <fctx/stack.h>
#include <fctx/stack_ext.h>
#include <fctx/fiber.h>
#include <fctx/shared_stack.h>
#endif
