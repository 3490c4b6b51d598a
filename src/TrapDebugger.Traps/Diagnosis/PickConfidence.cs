namespace TrapDebugger.Traps;

/// <summary>How surely the live state singles out the check a merged trap reports.</summary>
public enum PickConfidence
{
    /// <summary>There was nothing to choose: the stop has one origin or none, or its message comes from the trap's own frame.</summary>
    Only,
    /// <summary>The live registers single out the pick: its condition is the only one that holds, or its compare is the only one
    /// the live flags agree with.</summary>
    Confirmed,
    /// <summary>Several checks can explain the trap; the pick is the best ranked.</summary>
    Likely,
    /// <summary>No check's condition matches the live registers; the pick is the first by position.</summary>
    Unmatched,
}
