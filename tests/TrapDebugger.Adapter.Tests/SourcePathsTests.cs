using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Adapter.Tests;

public sealed class SourcePathsTests
{
    private static SourcePaths Paths(string relativeBase, params (string From, string To)[] entries)
    {
        var map = new SourceMap();
        foreach (var (from, to) in entries)
            map.Entries.Add(new SourceMapEntry(from, to));
        return new SourcePaths(map, relativeBase);
    }

    [Fact]
    public void Prefixes_match_whole_components_in_both_directions_and_the_first_entry_wins()
    {
        var paths = Paths("/work", ("/build/", "/home/me/src"), ("/build/lib", "/elsewhere"), ("/", "/never"));
        Assert.Equal("/home/me/src/a/b.c", paths.ToClient("/build/a/b.c"));
        Assert.Equal("/home/me/src", paths.ToClient("/build"));
        Assert.Equal("/home/me/src/lib/x.c", paths.ToClient("/build/lib/x.c"));
        Assert.Equal("/never/builder/a.c", paths.ToClient("/builder/a.c"));
        Assert.Equal("/build/a/b.c", paths.ToTarget("/home/me/src/a/b.c"));
        Assert.Equal("/home/me/srcs/a.c", paths.ToTarget("/home/me/srcs/a.c"));
    }

    [Fact]
    public void Mapped_paths_are_normalized_and_relative_entries_map_relative_paths()
    {
        var paths = Paths("/work", (".", "/usr/src/glibc"));
        Assert.Equal("/usr/src/glibc/sysdeps/x86/libc-start.c", paths.ToClient("./csu/../sysdeps/x86/libc-start.c"));
    }

    [Fact]
    public void A_relative_path_no_entry_maps_is_taken_from_the_base_directory_only_when_the_file_is_there()
    {
        var root = Directory.CreateTempSubdirectory("trapdbg-paths").FullName;
        Directory.CreateDirectory(Path.Combine(root, "src"));
        File.WriteAllText(Path.Combine(root, "src/main.c"), "int main(void) { return 0; }\n");
        var paths = Paths(root);
        Assert.Equal(Path.Combine(root, "src/main.c"), paths.ToClient("./src/main.c"));
        Assert.Equal(Path.Combine(root, "src/main.c"), paths.ToClient("src/main.c"));
        Assert.Equal("csu/libc-start.c", paths.ToClient("csu/libc-start.c"));
        Assert.Equal("/abs/unmapped.c", paths.ToClient("/abs/unmapped.c"));
    }
}
