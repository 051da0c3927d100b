#!/usr/bin/env python3
"""Instructions executed inside given functions, from a callgrind output file.

Used by scripts/callgrind.sh.  The file must come from
  valgrind --tool=callgrind --dump-instr=yes --dump-line=no
Callgrind attributes costs to "functions" by following calls and returns,
which a context switch (a jmp into another stack) confuses; so instead of
its function names we sum the cost per instruction *address* and take the
address ranges of the wanted functions from the binary's symbol table
(nm -S), relocated by the address at which main() was seen to start.

usage: callgrind_count.py OUT_FILE BINARY SYMBOL...
prints one line per symbol: SYMBOL <instructions> <calls>
(calls = executions of the function's first instruction).
"""
import re
import subprocess
import sys


def parse(path):
    cost = {}        # address -> Ir (self cost of the instruction)
    main_addrs = []  # addresses seen in main()'s blocks
    names = {}       # compressed name ids: (kind, id) -> name
    cur_fn = ""
    pos = 0
    skip_next = False
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            c = line[0]
            if c.isalpha():
                key, _, val = line.partition("=")
                if key in ("fn", "cfn", "cfi", "cfl", "fl", "fi", "fe", "ob", "cob"):
                    m = re.match(r"\((\d+)\)\s*(.*)", val)
                    if m:
                        kid, name = m.group(1), m.group(2)
                        kind = "fn" if key in ("fn", "cfn") else "fl" if key in ("fl", "fi", "fe", "cfi", "cfl") else "ob"
                        if name:
                            names[(kind, kid)] = name
                        else:
                            name = names.get((kind, kid), "")
                        val = name
                    if key == "fn":
                        cur_fn = val
                elif key == "calls":
                    skip_next = True  # the next cost line is the call's inclusive cost
                continue
            if not (c.isdigit() or c in "+-*"):
                continue
            parts = line.split()
            p = parts[0]
            if p.startswith("0x"):
                pos = int(p, 16)
            elif p[0] == "+":
                pos += int(p[1:], 16) if p[1:].startswith("0x") else int(p[1:])
            elif p[0] == "-":
                pos -= int(p[1:], 16) if p[1:].startswith("0x") else int(p[1:])
            elif p == "*":
                pass
            else:
                pos = int(p, 16) if p.startswith("0x") else int(p)
            if skip_next:
                skip_next = False
                continue
            ir = int(parts[1]) if len(parts) > 1 else 0
            cost[pos] = cost.get(pos, 0) + ir
            if cur_fn == "main":
                main_addrs.append(pos)
    return cost, main_addrs


def symbols(binary):
    """name -> (address, size); a symbol without .size extends to the next one."""
    out = subprocess.run(["nm", "-S", "-n", "--defined-only", binary], capture_output=True,
                         text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4:
            rows.append((f[3], int(f[0], 16), int(f[1], 16)))
        elif len(f) == 3:
            rows.append((f[2], int(f[0], 16), None))
    syms = {}
    for i, (name, addr, size) in enumerate(rows):
        if size is None:
            nxt = [a for _, a, _ in rows[i + 1:] if a > addr]
            size = (nxt[0] - addr) if nxt else 0
        syms.setdefault(name, (addr, size))
    return syms


def main():
    path, binary, wanted = sys.argv[1], sys.argv[2], sys.argv[3:]
    cost, main_addrs = parse(path)
    syms = symbols(binary)
    if "main" not in syms or not main_addrs:
        sys.exit("callgrind_count: cannot locate main() to relocate addresses")
    base = min(main_addrs) - syms["main"][0]
    for name in wanted:
        if name not in syms:
            print(f"{name} - -")
            continue
        start, size = syms[name]
        start += base
        total = sum(v for a, v in cost.items() if start <= a < start + size)
        calls = cost.get(start, 0)
        print(f"{name} {total} {calls}")


if __name__ == "__main__":
    main()
