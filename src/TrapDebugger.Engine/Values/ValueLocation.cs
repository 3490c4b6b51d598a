namespace TrapDebugger.Engine.Values;

/// <summary>Where the bytes of a value live, which decides whether it can be read lazily and written.</summary>
public enum ValueLocationKind
{
    /// <summary>In target memory at <see cref="ValueLocation.Address"/>.</summary>
    Memory,
    /// <summary>In a register of the frame (bytes are captured; writing goes back to the register).</summary>
    Register,
    /// <summary>Computed bytes with no home (a constant, DW_OP_stack_value, an arithmetic result).</summary>
    Computed,
    /// <summary>The compiler did not keep the value at this pc.</summary>
    OptimizedOut,
    /// <summary>The value could not be read (bad address, unsupported location); <see cref="DebugValue.Error"/> says why.</summary>
    Unavailable,
}

/// <summary>The home of a value: a memory address, a register number, or none.</summary>
/// <param name="Kind">What kind of home.</param>
/// <param name="Address">The memory address for <see cref="ValueLocationKind.Memory"/>.</param>
/// <param name="Register">The DWARF register number for <see cref="ValueLocationKind.Register"/>.</param>
public readonly record struct ValueLocation(ValueLocationKind Kind, ulong Address = 0, int Register = -1)
{
    /// <summary>A value in memory at <paramref name="address"/>.</summary>
    public static ValueLocation InMemory(ulong address) => new(ValueLocationKind.Memory, address);

    /// <summary>A value held in DWARF register <paramref name="register"/>.</summary>
    public static ValueLocation InRegister(int register) => new(ValueLocationKind.Register, Register: register);

    /// <summary>A value with no home.</summary>
    public static readonly ValueLocation Computed = new(ValueLocationKind.Computed);

    /// <summary>A value the compiler did not keep.</summary>
    public static readonly ValueLocation OptimizedOut = new(ValueLocationKind.OptimizedOut);

    /// <summary>A value that could not be read.</summary>
    public static readonly ValueLocation Unavailable = new(ValueLocationKind.Unavailable);
}
