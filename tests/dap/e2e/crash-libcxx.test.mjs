// Uncaught C++ exceptions with libc++ and libc++abi name the type and what() and land on the throw; the on-throw
// filter stops at the throw.
import { cxxExceptionTests } from './crash-support.mjs';

cxxExceptionTests('libc++, clang++ -O0', 'clang++-22', ['-g', '-O0', '-stdlib=libc++', '-Wl,-rpath,/usr/lib/llvm-22/lib']);
