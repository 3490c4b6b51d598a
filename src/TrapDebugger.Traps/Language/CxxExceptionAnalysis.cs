using System.Text;
using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>A C++ exception object read from the process: its type and, for the standard exceptions, its <c>what()</c> text.</summary>
/// <param name="Object">The address of the thrown object.</param>
/// <param name="Type">The demangled type name, e.g. "std::out_of_range".</param>
/// <param name="What">The <c>what()</c> text when it could be read without calling the program, else null.</param>
/// <param name="WhyNoWhat">Why <paramref name="What"/> is missing, when it is.</param>
public sealed record CxxException(ulong Object, string Type, string? What, string? WhyNoWhat);

/// <summary>Explains an uncaught C++ exception (<c>std::terminate</c> → <c>abort</c>) and a throw, from memory and registers alone.</summary>
/// <remarks>
/// The exception being handled is the head of the thread's caught-exceptions list in the C++ ABI's per-thread
/// <c>__cxa_eh_globals</c> (the runtime calls <c>__cxa_begin_catch</c> on it before <c>std::terminate</c>). The globals are a
/// thread-local variable of libstdc++ or libc++abi without an exported symbol; their address comes from replaying the code of
/// <c>__cxa_get_globals</c> (the general-dynamic, initial-exec, local-exec or descriptor TLS sequence it compiles to) on the
/// thread's fs_base and the dynamic thread vector. The list points at a <c>__cxa_exception</c> header; both runtimes end it
/// with the 32-byte <c>_Unwind_Exception</c> (exception class "GNUCC++" or "CLNGC++") with the thrown object right after it
/// and the <c>type_info</c> pointer ten words before it.
/// </remarks>
internal static class CxxExceptionAnalysis
{
    private const string Category = "C++ exception";
    private const int MaxText = 64 * 1024;
    private const int MaxInstructions = 24;

    private static readonly string[] TerminateFrames =
    [
        "std::terminate", "__cxxabiv1::__terminate", "std::__terminate", "__cxa_call_terminate", "__clang_call_terminate",
        "__cxa_throw", "__cxa_rethrow", "__gnu_cxx::__verbose_terminate_handler", "__cxxabiv1::__unexpected",
    ];

    /// <summary>True when an abort's backtrace passes through <c>std::terminate</c> or a throw.</summary>
    public static bool IsTerminate(IReadOnlyList<BacktraceFrame> frames) =>
        frames.Any(f => f.Function is { } n && TerminateFrames.Contains(RuntimeFrames.Bare(n)));

    /// <summary>The SIGABRT of <c>std::terminate</c>: the exception being handled, landing on the throwing line.</summary>
    public static StopDiagnosis Uncaught(StopContext context, StopDiagnosis basis)
    {
        var exception = CurrentException(context);
        var frames = context.Backtrace;
        var landing = RuntimeFrames.UserCaller(frames, n => RuntimeFrames.Bare(n) is "__cxa_throw" or "__cxa_rethrow", RuntimeFrames.IsCxx, "the throw of the uncaught exception")
            ?? RuntimeFrames.UserCaller(frames, n => TerminateFrames.Contains(RuntimeFrames.Bare(n)), RuntimeFrames.IsCxx, "the caller of std::terminate");
        if (exception is null)
        {
            return basis with
            {
                Kind = StopKind.UncaughtException,
                Category = Category,
                Description = $"std::terminate() called{Where(landing)}",
                ShortText = "Terminate",
                Details = ["no exception is being handled on this thread (std::terminate was called directly, or the C++ runtime's thread-local state could not be read)"],
                Landing = landing,
            };
        }
        return Describe(basis, exception, landing, StopKind.UncaughtException, "Uncaught C++ exception", "Uncaught exception");
    }

    /// <summary>The stop at <c>__cxa_throw(object, type_info, destructor)</c>: the exception about to be thrown.</summary>
    public static StopDiagnosis Thrown(StopContext context, StopDiagnosis basis)
    {
        var exception = Read(context, context.Registers.Rdi, context.Registers.Rsi);
        var landing = RuntimeFrames.UserCaller(context.Backtrace, n => RuntimeFrames.Bare(n) == "__cxa_throw", RuntimeFrames.IsCxx, "the throw");
        if (exception is null)
        {
            return basis with
            {
                Kind = StopKind.ExceptionThrown, Category = Category, Description = $"C++ exception thrown{Where(landing)}",
                ShortText = "Throw", Landing = landing, Details = ["the exception object could not be read"],
            };
        }
        return Describe(basis, exception, landing, StopKind.ExceptionThrown, "C++ exception thrown", "Throw");
    }

    private static StopDiagnosis Describe(StopDiagnosis basis, CxxException e, LandingFrame? landing, StopKind kind, string lead, string shortText)
    {
        var details = new List<string> { $"type {e.Type}, object at 0x{e.Object:x}" };
        details.Add(e.What is { } w ? $"what(): {w}" : $"what(): {e.WhyNoWhat}");
        if (landing is not null) details.Add($"thrown from {landing.Function ?? "an unknown function"}{(landing.Location is { Line: > 0 } l ? $" at {l}" : "")}");
        return basis with
        {
            Kind = kind,
            Category = Category,
            Message = e.What,
            Description = e.What is { } what ? $"{lead} {e.Type}: {what}" : $"{lead} {e.Type}",
            ShortText = shortText,
            Details = details,
            Landing = landing,
            Exception = e,
        };
    }

    private static string Where(LandingFrame? landing) =>
        landing is null ? "" : $" in {landing.Function ?? "an unknown function"}{(landing.Location is { Line: > 0 } l ? $" at {l}" : "")}";

    /// <summary>The exception the thread is handling (the head of its caught-exceptions list), or null.</summary>
    public static CxxException? CurrentException(StopContext context)
    {
        if (context.Memory is not { } memory || context.Globals is not { } globals) return null;
        if (globals.FunctionAddress("__cxa_get_globals") is not { } getGlobals) return null;
        if (ThreadLocalAddress(context, getGlobals, 0) is not { } ehGlobals) return null;
        if (memory.ReadWord(ehGlobals) is not { } header || header == 0) return null;
        // The _Unwind_Exception ends __cxa_exception: 80 bytes in (libstdc++) or 96 (libc++abi, which starts with two more words).
        foreach (var offset in new ulong[] { 80, 96, 64, 112 })
        {
            if (memory.ReadWord(header + offset) is not { } cls) continue;
            var kind = cls & 0xff;
            var vendor = cls & ~0xffUL;
            if (vendor is not (0x474e5543432b2b00 or 0x434c4e47432b2b00) || kind > 1) continue;
            var unwindHeader = header + offset;
            if (kind == 1)
            {
                // A dependent exception (std::exception_ptr rethrown): it points at the primary object, whose own unwind header
                // sits just before it. libstdc++ keeps that pointer where the type is in a primary header, libc++abi a word earlier.
                unwindHeader = 0;
                foreach (var slot in new ulong[] { header + offset - 80, header + offset - 88 })
                {
                    if (memory.ReadWord(slot) is { } primary && primary > 32 && memory.ReadWord(primary - 32) == vendor)
                    {
                        unwindHeader = primary - 32;
                        break;
                    }
                }
                if (unwindHeader == 0) return null;
            }
            var obj = unwindHeader + 32;
            if (memory.ReadWord(unwindHeader - 80) is not { } typeInfo) return null;
            return Read(context, obj, typeInfo);
        }
        return null;
    }

    /// <summary>The type and what() text of the object at <paramref name="obj"/> whose <c>std::type_info</c> is at <paramref name="typeInfo"/>.</summary>
    public static CxxException? Read(StopContext context, ulong obj, ulong typeInfo)
    {
        if (context.Memory is not { } memory || obj == 0 || typeInfo == 0) return null;
        if (memory.ReadWord(typeInfo + 8) is not { } namePointer || ReadCString(memory, namePointer) is not { Length: > 0 } mangled) return null;
        mangled = mangled.TrimStart('*'); // libstdc++ marks types with internal linkage with a leading '*'.
        var type = context.Symbols?.DemangleType(mangled) ?? mangled;
        var (what, why) = ReadWhat(context, memory, obj);
        return new CxxException(obj, type, what, why);
    }

    // The standard exceptions that carry a message (logic_error, runtime_error and their families, in libstdc++ and libc++) keep
    // it as a pointer to the characters right after the vtable pointer; which what() the vtable holds tells whether this object
    // uses it, without calling it.
    private static (string? What, string? Why) ReadWhat(StopContext context, IByteSource memory, ulong obj)
    {
        if (memory.ReadWord(obj) is not { } vptr || vptr == 0 || memory.ReadWord(vptr + 16) is not { } whatFunction)
            return (null, "the object has no virtual what()");
        var name = context.Symbols?.FindFunction(whatFunction)?.Name;
        if (name is null) return (null, "its what() is not a known function");
        var bare = RuntimeFrames.Bare(name);
        if (bare is "std::logic_error::what" or "std::runtime_error::what" or "std::__1::logic_error::what" or "std::__1::runtime_error::what")
        {
            if (memory.ReadWord(obj + 8) is { } text && ReadCString(memory, text) is { } message) return (message, null);
            return (null, "the message of the exception could not be read");
        }
        if (bare is "std::exception::what" or "std::__1::exception::what") return ("std::exception", null);
        if (bare is "std::bad_alloc::what" or "std::__1::bad_alloc::what") return ("std::bad_alloc", null);
        return (null, $"{bare}() is the program's own and is not called by the debugger");
    }

    /// <summary>The address a function returning the address of a thread-local variable returns on this thread, found by
    /// replaying its code (no call into the process).</summary>
    private static ulong? ThreadLocalAddress(StopContext context, ulong function, int depth)
    {
        var code = context.Code ?? context.Memory;
        if (code is null || context.Memory is not { } memory || depth > 2) return null;
        var bytes = new byte[MaxInstructions * 8];
        var read = code.Read(function, bytes);
        if (read <= 0) return null;
        var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(bytes, 0, read), function);
        var fs = context.Registers.FsBase;
        var values = new Dictionary<Register, ulong>();
        var lastLeaRdi = false;
        for (var n = 0; n < MaxInstructions && decoder.IP < function + (ulong)read; n++)
        {
            decoder.Decode(out var i);
            if (i.IsInvalid) return null;
            var setsRdiFromRip = false;
            switch (i.Mnemonic)
            {
                case Mnemonic.Endbr64 or Mnemonic.Nop or Mnemonic.Push:
                case Mnemonic.Sub or Mnemonic.Add when i.Op0Register == Register.RSP:
                    break;
                case Mnemonic.Pop:
                    values.Remove(i.Op0Register.GetFullRegister());
                    break;
                case Mnemonic.Ret:
                    return values.TryGetValue(Register.RAX, out var result) ? result : null;
                case Mnemonic.Lea when i.Op1Kind == OpKind.Memory:
                    if (i.IsIPRelativeMemoryOperand)
                    {
                        values[i.Op0Register.GetFullRegister()] = i.IPRelativeMemoryAddress;
                        setsRdiFromRip = i.Op0Register.GetFullRegister() == Register.RDI;
                    }
                    else if (i.MemorySegment == Register.FS && i.MemoryBase == Register.None)
                        values[i.Op0Register.GetFullRegister()] = fs + i.MemoryDisplacement64;
                    else if (i.MemoryIndex == Register.None && values.TryGetValue(i.MemoryBase.GetFullRegister(), out var b))
                        values[i.Op0Register.GetFullRegister()] = b + i.MemoryDisplacement64;
                    else values.Remove(i.Op0Register.GetFullRegister());
                    break;
                case Mnemonic.Mov or Mnemonic.Add when i.Op0Kind == OpKind.Register:
                {
                    var target = i.Op0Register.GetFullRegister();
                    ulong? operand = i.Op1Kind switch
                    {
                        OpKind.Register => values.TryGetValue(i.Op1Register.GetFullRegister(), out var r) ? r : null,
                        OpKind.Immediate8to64 or OpKind.Immediate32to64 or OpKind.Immediate32 or OpKind.Immediate64 => i.GetImmediate(1),
                        OpKind.Memory when i.MemorySegment == Register.FS && i.MemoryBase == Register.None && i.MemoryDisplacement64 == 0 => fs,
                        OpKind.Memory when i.IsIPRelativeMemoryOperand => memory.ReadWord(i.IPRelativeMemoryAddress),
                        OpKind.Memory when i.MemoryIndex == Register.None && values.TryGetValue(i.MemoryBase.GetFullRegister(), out var mb) =>
                            memory.ReadWord(mb + i.MemoryDisplacement64),
                        _ => null,
                    };
                    if (operand is not { } v) { values.Remove(target); break; }
                    if (i.Mnemonic == Mnemonic.Mov) values[target] = v;
                    else if (values.TryGetValue(target, out var old)) values[target] = old + v;
                    else values.Remove(target);
                    break;
                }
                case Mnemonic.Call when i.Op0Kind == OpKind.NearBranch64:
                    // lea rdi, [rip+tls_index]; call __tls_get_addr — the general-dynamic sequence.
                    if (lastLeaRdi && values.TryGetValue(Register.RDI, out var index))
                    {
                        if (DynamicBlockAddress(memory, fs, index) is not { } address) return null;
                        values[Register.RAX] = address;
                    }
                    else if (ThreadLocalAddress(context, i.NearBranch64, depth + 1) is { } callee)
                        values[Register.RAX] = callee;
                    else return null;
                    break;
                case Mnemonic.Call when i.Op0Kind == OpKind.Memory && i.MemoryBase == Register.RAX && i.MemoryIndex == Register.None:
                {
                    // lea rax, [rip+descriptor]; call [rax] — a TLS descriptor: the call returns the variable's offset from fs_base.
                    if (!values.TryGetValue(Register.RAX, out var descriptor) || memory.ReadWord(descriptor + 8) is not { } argument) return null;
                    var resolver = memory.ReadWord(descriptor) is { } f ? context.Symbols?.FindFunction(f)?.Name : null;
                    if (resolver?.Contains("tlsdesc_dynamic", StringComparison.Ordinal) == true)
                    {
                        if (DynamicBlockAddress(memory, fs, argument) is not { } a) return null;
                        values[Register.RAX] = a - fs;
                    }
                    else values[Register.RAX] = argument;
                    break;
                }
                default:
                    return null;
            }
            lastLeaRdi = setsRdiFromRip;
        }
        return null;
    }

    // A tls_index { module id, offset }: the module's block in this thread is dtv[id] (16-byte entries), dtv at fs_base + 8.
    private static ulong? DynamicBlockAddress(IByteSource memory, ulong fs, ulong tlsIndex)
    {
        if (memory.ReadWord(tlsIndex) is not { } module || memory.ReadWord(tlsIndex + 8) is not { } offset) return null;
        if (module is 0 or > 1 << 20 || memory.ReadWord(fs + 8) is not { } dtv || dtv == 0) return null;
        if (memory.ReadWord(dtv + 16 * module) is not { } block || block == 0 || block == ulong.MaxValue) return null;
        return block + offset;
    }

    private static string? ReadCString(IByteSource memory, ulong address)
    {
        if (address == 0) return null;
        var text = new List<byte>();
        var chunk = new byte[256];
        while (text.Count < MaxText)
        {
            var n = memory.Read(address + (ulong)text.Count, chunk);
            if (n <= 0) break;
            var end = Array.IndexOf(chunk, (byte)0, 0, n);
            text.AddRange(chunk.Take(end < 0 ? n : end));
            if (end >= 0) return Encoding.UTF8.GetString([.. text]);
        }
        return null;
    }

}
