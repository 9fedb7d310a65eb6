using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;

namespace HrmsAttendance.AppHost.Dashboard.Pages;

/// <summary>
/// A piece of HTML that is safe to emit as is. Build one with <see cref="Html.H"/>: in
/// <c>Html.H($"&lt;td&gt;{value}&lt;/td&gt;")</c> every hole is HTML-encoded unless it is itself
/// Markup, so span attributes, log lines and resource names (all untrusted) cannot inject markup.
/// </summary>
internal readonly record struct Markup(string Value)
{
    public static readonly Markup Empty = new("");

    public override string ToString() => Value ?? "";

    public static Markup Join(IEnumerable<Markup> parts) => new(string.Concat(parts.Select(p => p.Value)));
}

internal static class Html
{
    public static Markup H(ref HtmlInterpolationHandler html) => new(html.ToStringAndClear());

    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>Trusted markup only: constant strings written in this folder.</summary>
    public static Markup Raw(string html) => new(html);

    /// <summary>A path segment for an href: percent-encoded (the hole encoding then HTML-encodes it).</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);

    public static Markup When(bool condition, Markup markup) => condition ? markup : Markup.Empty;
}

/// <summary>Interpolated string handler behind <see cref="Html.H"/>: literals raw, holes encoded.</summary>
[InterpolatedStringHandler]
internal ref struct HtmlInterpolationHandler
{
    private DefaultInterpolatedStringHandler _builder;

    public HtmlInterpolationHandler(int literalLength, int formattedCount) =>
        _builder = new DefaultInterpolatedStringHandler(literalLength, formattedCount, CultureInfo.InvariantCulture);

    public void AppendLiteral(string literal) => _builder.AppendLiteral(literal);

    public void AppendFormatted(Markup markup) => _builder.AppendLiteral(markup.Value ?? "");

    public void AppendFormatted(IEnumerable<Markup> parts)
    {
        foreach (var part in parts) _builder.AppendLiteral(part.Value ?? "");
    }

    public void AppendFormatted(string? text) => _builder.AppendLiteral(Html.Encode(text));

    /// <summary>Numbers and the like: invariant culture (a style="left: 12.5%" must not become 12,5%), then encoded.</summary>
    public void AppendFormatted<T>(T value, string? format = null)
    {
        switch (value)
        {
            case Markup markup: AppendFormatted(markup); break;
            case IEnumerable<Markup> parts: AppendFormatted(parts); break;
            case IFormattable formattable: _builder.AppendLiteral(Html.Encode(formattable.ToString(format, CultureInfo.InvariantCulture))); break;
            default: _builder.AppendLiteral(Html.Encode(value?.ToString())); break;
        }
    }

    public string ToStringAndClear() => _builder.ToStringAndClear();
}
