# 32-bit Arm Linux, hard-float EABI (Debian armhf: ARMv7-A, VFPv3-D16,
# Thumb-2 by default), cross-compiled with gcc and run under qemu-arm.
# The instruction set is chosen by the presets (-marm / -mthumb).
set(CMAKE_SYSTEM_PROCESSOR arm)
set(FCTX_CROSS_TRIPLE arm-linux-gnueabihf)
set(FCTX_CROSS_QEMU qemu-arm)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
