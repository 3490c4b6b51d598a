using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Protocol.Requests;

/// <summary>Arguments of <c>modules</c>, with paging.</summary>
public sealed class ModulesArguments
{
    /// <summary>Index of the first module to return.</summary>
    public int? StartModule { get; set; }

    /// <summary>Number of modules; 0 or absent means all.</summary>
    public int? ModuleCount { get; set; }
}

/// <summary>Body of the <c>modules</c> response.</summary>
public sealed class ModulesResponseBody
{
    /// <summary>The modules.</summary>
    public List<Module> Modules { get; set; } = [];

    /// <summary>Total number of modules.</summary>
    public int? TotalModules { get; set; }
}

/// <summary>Arguments of <c>loadedSources</c> (none today).</summary>
public sealed class LoadedSourcesArguments
{
}

/// <summary>Body of the <c>loadedSources</c> response.</summary>
public sealed class LoadedSourcesResponseBody
{
    /// <summary>The sources.</summary>
    public List<Source> Sources { get; set; } = [];
}

/// <summary>Arguments of <c>source</c>.</summary>
public sealed class SourceArguments
{
    /// <summary>The source to fetch.</summary>
    public Source? Source { get; set; }

    /// <summary>The reference (kept for old clients).</summary>
    public int SourceReference { get; set; }
}

/// <summary>Body of the <c>source</c> response.</summary>
public sealed class SourceResponseBody
{
    /// <summary>The contents.</summary>
    public string Content { get; set; } = "";

    /// <summary>MIME type of the contents.</summary>
    public string? MimeType { get; set; }
}
