using System.Runtime.InteropServices;
using System.Text;
using TrapDebugger.Native.Interop;

namespace TrapDebugger.Native.Launch;

/// <summary>The native side of one posix_spawn: its file actions, its attributes, a signal set to fill, and the C strings
/// made for it, all freed together.</summary>
internal sealed unsafe class SpawnRequest : IDisposable
{
    private readonly List<nint> allocations = [];

    public SpawnRequest()
    {
        Actions = NativeMemory.AllocZeroed(1024);
        Attributes = NativeMemory.AllocZeroed(1024);
        SignalSet = NativeMemory.AllocZeroed(256);
        LibC.FileActionsInit(Actions);
        LibC.SpawnAttrInit(Attributes);
    }

    /// <summary>posix_spawn_file_actions_t.</summary>
    public void* Actions { get; }

    /// <summary>posix_spawnattr_t.</summary>
    public void* Attributes { get; }

    /// <summary>A sigset_t to fill and hand to the attributes.</summary>
    public void* SignalSet { get; }

    /// <summary>A NUL-terminated UTF-8 copy of <paramref name="s"/>, freed with the request.</summary>
    public byte* Utf8(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        var p = (byte*)NativeMemory.Alloc((nuint)bytes.Length + 1);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        p[bytes.Length] = 0;
        allocations.Add((nint)p);
        return p;
    }

    /// <summary>A NULL-terminated array of C strings (argv, envp), freed with the request.</summary>
    public byte** StringArray(IReadOnlyList<string> items)
    {
        var array = (byte**)NativeMemory.Alloc((nuint)(items.Count + 1), (nuint)sizeof(nint));
        allocations.Add((nint)array);
        for (var i = 0; i < items.Count; i++) array[i] = Utf8(items[i]);
        array[items.Count] = null;
        return array;
    }

    /// <summary>Spawns <paramref name="path"/>; returns posix_spawn's error number (0 on success) and the pid.</summary>
    public int Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<string> environment, out int pid)
    {
        int child;
        var rc = LibC.PosixSpawn(&child, Utf8(path), Actions, Attributes, StringArray(argv), StringArray(environment));
        pid = child;
        return rc;
    }

    public void Dispose()
    {
        LibC.FileActionsDestroy(Actions);
        LibC.SpawnAttrDestroy(Attributes);
        NativeMemory.Free(Actions);
        NativeMemory.Free(Attributes);
        NativeMemory.Free(SignalSet);
        foreach (var a in allocations) NativeMemory.Free((void*)a);
    }
}
