using Microsoft.AspNetCore.Http;

namespace HrmsAttendance.StableErrors;

/// <summary>
/// The rule for the services' JSON routes: a query string names only the route's own parameters, each at most once.
/// ASP.NET Core would ignore a parameter it does not bind (so a misspelled "form_date" would silently mean "today") and
/// join a repeated one with a comma; both are refused instead, naming the parameter.
/// </summary>
public static class QueryParameters
{
    /// <summary>What is wrong ("name …", to follow the stable code), or null when every parameter is known and given once.</summary>
    public static string? Problem(IQueryCollection query, params string[] known)
    {
        foreach (var (name, values) in query)
        {
            if (!known.Contains(name, StringComparer.Ordinal))
                return $"{name} is not a parameter of this route; it takes {string.Join(", ", known)}";
            if (values.Count > 1)
                return $"{name} is given {values.Count} times; give it once";
        }
        return null;
    }
}
