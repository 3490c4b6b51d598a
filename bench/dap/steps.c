// Straight-line code for `next`: each line of main calls g once, so every step runs one call to its return.
__attribute__((noinline)) long g(long x) { return x * 3 + 1; }
int main(void) {
    long v = 1;
    v = g(v); // first step line
    v = g(v);
    v = g(v);
    v = g(v);
    v = g(v);
    v = g(v);
    v = g(v);
    v = g(v);
    v = g(v);
    v = g(v);
    v = g(v);
    v = g(v);
    return (int)(v & 0x7f);
}
