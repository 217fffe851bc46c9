namespace Isthmus.Esp;

/// <summary>Why a control operation (add/update/delete SA or policy) was refused.</summary>
public enum ControlError : byte
{
    None = 0,

    /// <summary>The SA or policy does not pass validation; <see cref="ControlResult.Detail"/> says why.</summary>
    Invalid = 1,

    /// <summary>An SA with this SPI and direction, or a policy with this id, already exists.</summary>
    AlreadyExists = 2,

    /// <summary>No SA with this SPI and direction, or no policy with this id.</summary>
    NotFound = 3,

    /// <summary>The backend cannot do this (e.g. an algorithm its crypto device lacks).</summary>
    Unsupported = 4,

    /// <summary>The backend failed (e.g. a device error); <see cref="ControlResult.Detail"/> says what.</summary>
    Failed = 5,
}

/// <summary>The outcome of a control operation. Detail never holds key material.</summary>
public readonly record struct ControlResult(ControlError Error, string Detail)
{
    public static ControlResult Ok { get; } = new(ControlError.None, string.Empty);

    public bool IsOk => Error == ControlError.None;

    public static ControlResult Invalid(string detail) => new(ControlError.Invalid, detail);

    public static ControlResult AlreadyExists(string detail) => new(ControlError.AlreadyExists, detail);

    public static ControlResult NotFound(string detail) => new(ControlError.NotFound, detail);

    public static ControlResult Unsupported(string detail) => new(ControlError.Unsupported, detail);

    public static ControlResult Failed(string detail) => new(ControlError.Failed, detail);

    public override string ToString() => IsOk ? "ok" : $"{Error}: {Detail}";
}
