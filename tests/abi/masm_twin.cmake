# test_masm_twin: the Windows MASM sources (asm/*_<ASM>_masm.asm, ASM =
# x86_64_ms or i386_ms) are the twins of the GAS ones (asm/*_<ASM>_gas.S):
# two dialects of the same
# instructions, kept by hand.  Assembles both, disassembles each function,
# and compares the instruction streams after removing what only the layout
# changes: padding, addresses, branch targets and rip-relative
# displacements, and the order of the functions in the file.  One
# difference is by design and allowed: the address of a local label is
# `lea label(%rip)` in GAS but `mov addr_qword(%rip)` in MASM (llvm-ml 14
# cannot encode the lea; make and ontop say why).
# On i386 the C symbols carry a leading underscore, which is dropped
# before the names are compared.
# Usage: cmake -DSRC=<source dir> -DWORK=<dir> -DGAS_CC=<gcc> -DML=<llvm-ml>
#              -DOBJDUMP=<objdump> [-DASM=<stem>] [-DMLFLAGS=<flags>]
#              -P masm_twin.cmake
cmake_minimum_required(VERSION 3.20)  # IN_LIST
foreach(v SRC WORK GAS_CC ML OBJDUMP)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "masm_twin: -D${v}= missing")
  endif()
endforeach()
if(NOT DEFINED ASM)
  set(ASM x86_64_ms)
endif()
if(NOT DEFINED MLFLAGS)
  set(MLFLAGS -m64)
endif()
separate_arguments(MLFLAGS)
file(MAKE_DIRECTORY ${WORK})
# The functions compared; any other label belongs to the function before it.
set(functions fctx_jump fctx_ontop fctx_ontop_return fctx_make fctx_context_start
              fctx_internal_set_stack_allocation)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "masm_twin: failed (${rc}): ${ARGN}\n${out}${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

# listing(<object> <var>): "function<TAB>instruction" lines, normalised, each
# function's lines in order, functions sorted by name.
function(listing obj var)
  run(${OBJDUMP} -dr --no-show-raw-insn ${obj})
  string(REPLACE ";" "\\;" out "${out}")
  string(REPLACE "\n" ";" lines "${out}")
  set(cur "")
  set(done "")
  foreach(fn IN LISTS functions)
    set(body_${fn} "")
  endforeach()
  foreach(l IN LISTS lines)
    if(l MATCHES "^[0-9a-f]+ <([A-Za-z0-9_]+)>:$")
      set(name ${CMAKE_MATCH_1})
      if(ASM MATCHES "^i386")
        string(REGEX REPLACE "^_" "" name "${name}")   # cdecl decoration
      endif()
      if(name IN_LIST functions)
        set(cur ${name})
      endif()
      continue()
    endif()
    # An absolute address in an instruction (i386: the stub's address in
    # fctx_make): GAS stores the label's section offset there, MASM 0, each
    # with its relocation; compare the instruction with the address elided.
    if(l MATCHES "^\t+[0-9a-f]+: dir32\t" AND NOT cur STREQUAL "" AND NOT cur IN_LIST done)
      list(POP_BACK body_${cur} last)
      string(REGEX REPLACE "\\$0x[0-9a-f]+" "$ADDR" last "${last}")
      list(APPEND body_${cur} "${last}")
      continue()
    endif()
    if(NOT l MATCHES "^ +[0-9a-f]+:\t(.*)$" OR cur STREQUAL "" OR cur IN_LIST done)
      continue()
    endif()
    set(i "${CMAKE_MATCH_1}")
    string(REGEX REPLACE "[ \t]+#.*$" "" i "${i}")          # objdump's comments
    string(REGEX REPLACE "<[^>]*>" "" i "${i}")             # symbolic targets
    string(REGEX REPLACE "[ \t]+" " " i "${i}")
    string(STRIP "${i}" i)
    if(i STREQUAL "" OR i MATCHES "^(nop|nopl|nopw|cs nopw|data16|xchg %ax,%ax|int3)"
       OR i MATCHES "^lea 0x0\\(%esi(,%eiz,1)?\\),%esi$"      # i386 GAS padding
       OR i MATCHES "^lea 0x0\\(%edi(,%eiz,1)?\\),%edi$")
      continue()                                            # padding
    endif()
    string(REGEX REPLACE "-?0x[0-9a-f]+\\(%rip\\)" "REL(%rip)" i "${i}")
    string(REGEX REPLACE "^(call|j[a-z]+) +[0-9a-f]+$" "\\1 TARGET" i "${i}")
    # The one difference by design (see the top).
    string(REGEX REPLACE "^lea REL\\(%rip\\),(%r[0-9a-z]+)$" "ADDR_OF_LABEL \\1" i "${i}")
    string(REGEX REPLACE "^mov REL\\(%rip\\),(%r[0-9a-z]+)$" "ADDR_OF_LABEL \\1" i "${i}")
    list(APPEND body_${cur} "${cur}\t${i}")
    if(i STREQUAL "ud2" OR i STREQUAL "hlt")
      list(APPEND done ${cur})   # MASM keeps a data word after it (make)
    endif()
  endforeach()
  set(r "")
  foreach(fn IN LISTS functions)
    list(APPEND r ${body_${fn}})
  endforeach()
  set(${var} "${r}" PARENT_SCOPE)
endfunction()

set(failures 0)
foreach(job jump make ontop)
  set(g ${WORK}/${job}_gas.o)
  set(m ${WORK}/${job}_masm.o)
  run(${GAS_CC} -I${SRC}/asm -c ${SRC}/asm/${job}_${ASM}_gas.S -o ${g})
  run(${ML} ${MLFLAGS} -c -I${SRC}/asm -Fo${m} ${SRC}/asm/${job}_${ASM}_masm.asm)
  listing(${g} lg)
  listing(${m} lm)
  list(LENGTH lg ng)
  if(ng EQUAL 0)
    message(FATAL_ERROR "masm_twin: no instructions read from ${g}")
  endif()
  if(lg STREQUAL lm)
    message(STATUS "ok: ${job}: ${ng} instructions, the same in both dialects")
  else()
    string(REPLACE ";" "\n" tg "${lg}")
    string(REPLACE ";" "\n" tm "${lm}")
    file(WRITE ${WORK}/${job}_gas.txt "${tg}\n")
    file(WRITE ${WORK}/${job}_masm.txt "${tm}\n")
    execute_process(COMMAND diff -u ${WORK}/${job}_gas.txt ${WORK}/${job}_masm.txt OUTPUT_VARIABLE d)
    message("FAILED: ${job}: the GAS and MASM instruction streams differ:\n${d}")
    math(EXPR failures "${failures} + 1")
  endif()
endforeach()
if(failures GREATER 0)
  message(FATAL_ERROR "masm_twin: ${failures} file(s) differ: change both twins")
endif()
