namespace HrmsAttendance.Resp;

/// <summary>The condition of a SET, as StackExchange.Redis names it.</summary>
public enum When
{
    /// <summary>Set the value whether or not the key exists.</summary>
    Always,

    /// <summary>Set only if the key already exists (<c>SET … XX</c>).</summary>
    Exists,

    /// <summary>Set only if the key does not exist yet (<c>SET … NX</c>).</summary>
    NotExists,
}
