using System.Net;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using static HrmsAttendance.Tests.Shared.RawProtobuf;

namespace HrmsAttendance.AppHost.Tests.Distributed.Hostile;

/// <summary>A kind of hostile input and the requests it makes: one per RPC, route and field it applies to.</summary>
internal sealed record HostileKind(string Name, string What, Func<HostileWorld, IEnumerable<HostileCase>> Cases)
{
    public override string ToString() => Name;
}

/// <summary>
/// THE table of hostile input kinds (issue 15). Each applies to every RPC and JSON route, and every field, it makes sense
/// for (<see cref="HostileTargets"/>), starting from a request the service accepts: a string kind goes into every string
/// field of every request and every query parameter, a date kind into every date, a wire kind into every method's
/// message, a header kind onto every call. Every case must be refused with the owning service's (or the gateway's)
/// stable code, naming the field where there is one.
/// </summary>
internal static class HostileKinds
{
    private const int MiB = 1024 * 1024;

    public static readonly IReadOnlyList<HostileKind> All =
    [
        // Text in every string field and query parameter.
        Text("nul-character", "U+0000 inside a value (Postgres text cannot hold it)", "x\0y"),
        Text("c0-control-character", "U+0001 inside a value", "x\u0001y"),
        Text("line-feed", "a newline inside a value", "x\ny"),
        Text("delete-character", "U+007F inside a value", "x\u007fy"),
        Text("c1-control-character", "U+0085 (NEXT LINE) inside a value", "x\u0085y"),
        Utf8("invalid-utf8", "the bytes C3 28: a lead byte without its continuation", [0x78, 0xC3, 0x28]),
        Utf8("overlong-utf8-nul", "C0 80, the overlong (\"modified UTF-8\") encoding of U+0000", [0x78, 0xC0, 0x80]),
        Utf8("utf8-encoded-surrogate", "ED A0 80, U+D800 encoded as if it were a character", [0xED, 0xA0, 0x80]),
        Utf8("truncated-utf8-sequence", "E4 B8, the first two bytes of a three-byte character", [0x78, 0xE4, 0xB8]),
        Text("huge-string", "1 MiB in a gRPC field, 6 KiB in a query parameter (under the URL limit)", (_, json) => new string('a', json ? 6 * 1024 : MiB)),
        Text("empty-required-value", "an empty value where one is required", (_, _) => "", f => f.Required),
        Text("whitespace-only", "three spaces where a value is required or must be trimmed", (_, _) => "   ", f => !f.BlankAllowed),

        // UUIDs: the "D" format exactly (issue 15 found "<uuid> " stored as the uuid).
        Uuid("uuid-trailing-space", "a person's uuid and a space", u => u + " "),
        Uuid("uuid-leading-space", "a space and a person's uuid", u => " " + u),
        Uuid("uuid-trailing-newline", "a person's uuid and a newline", u => u + "\n"),
        Uuid("uuid-nbsp-padded", "a person's uuid between no-break spaces", u => "\u00a0" + u + "\u00a0"),
        Uuid("uuid-in-braces", "the \"B\" format {…}", u => "{" + u + "}"),
        Uuid("uuid-without-dashes", "the \"N\" format", u => u.Replace("-", "")),
        Uuid("uuid-nil", "00000000-0000-0000-0000-000000000000", _ => Guid.Empty.ToString()),
        Uuid("uuid-too-long", "one hex digit too many", u => u + "0"),
        Uuid("uuid-fullwidth-digit", "a fullwidth digit in place of one hex digit", u => "０" + u[1..]),

        // Dates: YYYY-MM-DD between 1900-01-01 and 9998-12-31 (issue 15: the ends of the calendar were UNKNOWN).
        Date("date-0001-01-01", "the first day .NET has", "0001-01-01"),
        Date("date-9999-12-31", "the last day .NET has", "9999-12-31"),
        Date("date-9999-12-30", "the day before the last", "9999-12-30"),
        Date("date-1899-12-31", "the day before the allowed range", "1899-12-31"),
        Date("date-9999-01-01", "a day after the allowed range", "9999-01-01"),
        Date("date-february-30", "a day that does not exist", "2026-02-30"),
        Date("date-unpadded", "2026-3-2", "2026-3-2"),
        Date("date-with-time", "a timestamp where a date belongs", "2026-03-02T00:00:00"),
        Date("date-fullwidth-digits", "fullwidth digits", "２０２６-03-02"),
        Date("date-signed-year", "+2026-03-02", "+2026-03-02"),

        // Months (GetMonthlySummary).
        Month("month-9999-12", "the last month .NET has (AddMonths overflowed)", "9999-12"),
        Month("month-0001-01", "the first month .NET has", "0001-01"),
        Month("month-13", "2026-13", "2026-13"),
        Month("month-unpadded", "2026-3", "2026-3"),
        Month("month-with-day", "a date where a month belongs", "2026-03-01"),

        // Timestamps (punch_time): protobuf's range is years 1 to 9999, nanos 0 to 999,999,999.
        Time("timestamp-seconds-1e15", "10^15 seconds", new Timestamp { Seconds = 1_000_000_000_000_000 }),
        Time("timestamp-seconds-minus-1e15", "-10^15 seconds", new Timestamp { Seconds = -1_000_000_000_000_000 }),
        Time("timestamp-seconds-int64-max", "long.MaxValue seconds", new Timestamp { Seconds = long.MaxValue }),
        Time("timestamp-seconds-int64-min", "long.MinValue seconds", new Timestamp { Seconds = long.MinValue }),
        Time("timestamp-after-9999", "one second after 9999-12-31T23:59:59Z", new Timestamp { Seconds = 253_402_300_800 }),
        Time("timestamp-before-0001", "one second before 0001-01-01T00:00:00Z", new Timestamp { Seconds = -62_135_596_801 }),
        Time("timestamp-nanos-negative", "nanos -1", new Timestamp { Seconds = 1_772_413_200, Nanos = -1 }),
        Time("timestamp-nanos-one-second", "nanos 1,000,000,000", new Timestamp { Seconds = 1_772_413_200, Nanos = 1_000_000_000 }),
        Time("timestamp-nanos-int32-min", "nanos int.MinValue", new Timestamp { Seconds = 1_772_413_200, Nanos = int.MinValue }),
        Time("timestamp-epoch", "1970-01-01 (before the ledger's 2000-01-01)", new Timestamp()),
        Time("timestamp-year-2100", "far in the future", Timestamp.FromDateTimeOffset(new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero))),
        Time("timestamp-missing", "no punch_time at all", null),

        // Enums: numbers the contract does not define.
        Enum("enum-99", "an enum number the contract does not define", 99),
        Enum("enum-negative", "an enum number below zero", -1),
        Enum("enum-int32-max", "int.MaxValue as an enum number", int.MaxValue),
        Enum("enum-unspecified", "0 (UNSPECIFIED) where a value is required", 0, requiredOnly: true),

        // Sizes and limits.
        Int32("int32-negative", "-1 as a limit or page size", -1),
        Int32("int32-max", "int.MaxValue as a limit or page size", int.MaxValue),
        Int32("int32-min", "int.MinValue as a limit or page size", int.MinValue),
        NumberText("number-overflowing-int32", "99999999999999999999", "99999999999999999999"),
        NumberText("number-with-exponent", "1e3", "1e3"),
        NumberText("number-in-hex", "0x10", "0x10"),
        NumberText("number-with-sign", "+5", "+5"),

        // payload_json: JSON that System.Text.Json reads but Postgres' jsonb cannot hold, and JSON that is not an object.
        Json("json-escaped-nul", "{\"a\":\"\\u0000\"} (jsonb cannot hold U+0000)", """{"a":"\u0000"}"""),
        Json("json-escaped-nul-in-key", "{\"\\u0000\":1}", """{"\u0000":1}"""),
        Json("json-escaped-unpaired-surrogate", "{\"a\":\"\\ud800\"}", """{"a":"\ud800"}"""),
        Json("json-number-beyond-numeric", "1e1000000", """{"a":1e1000000}"""),
        Json("json-scale-beyond-numeric", "-0.0000e-99999", """{"a":-0.0000e-99999}"""),
        Json("json-number-100-digits", "a 100-digit number", "{\"a\":" + new string('9', 100) + "}"),
        Json("json-nested-10000-deep", "10,000 nested objects", string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000)),
        Json("json-array-root", "a JSON array, not an object", "[1,2]"),
        Json("json-unquoted-key", "{a:1}", "{a:1}"),
        Json("json-trailing-garbage", "{} followed by more", "{}x"),
        Json("json-over-64-KiB", "a 70 KiB object", "{\"a\":\"" + new string('x', 70 * 1024) + "\"}"),

        // Protobuf bytes that are not the method's message (each appended to a valid request).
        Wire("wire-wrong-type", "field 1 with the other wire type (varint for a string or message, bytes for a number)", WrongTypeForFirstField, namesFirstField: true),
        Wire("wire-undefined-field", "field number 99, which no request defines", (t, w) => [.. Base(t, w), .. VarintField(99, 1)]),
        Wire("wire-truncated-varint", "a length varint cut short", (t, w) => [.. Base(t, w), 0x0A, 0x80]),
        Wire("wire-tag-zero", "tag 0", (t, w) => [.. Base(t, w), 0x00]),
        Wire("wire-length-beyond-message", "a length of 127 with 1 byte after it", (t, w) => [.. Base(t, w), 0x0A, 0x7F, 0x01]),
        Wire("wire-group", "a proto2 group (wire types 3 and 4)", (t, w) => [.. Base(t, w), .. Tag(1, StartGroup), .. Tag(1, 4)]),
        Wire("wire-type-7", "wire type 7, which does not exist", (t, w) => [.. Base(t, w), 0x0F]),
        Wire("wire-garbage", "FF FF FF FF 0F alone", (_, _) => [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),

        // gRPC framing (the 5-byte header before each message).
        Framing("frame-compressed-flag-2", "a compressed flag of 2", (t, w) => (Frame(Base(t, w), flag: 2), null)),
        Framing("frame-compressed-without-encoding", "flag 1 without grpc-encoding", (t, w) => (Frame(Base(t, w), flag: 1), null)),
        Framing("frame-gzip-that-is-not-gzip", "flag 1 and grpc-encoding gzip over bytes that are not gzip", (t, w) => (Frame([.. Base(t, w), 1, 2, 3], flag: 1), "gzip")),
        Framing("frame-cut-short", "a frame that ends before its declared length", (t, w) => (Frame([.. Base(t, w), .. VarintField(99, 1)])[..^3], null)),
        Framing("frame-header-cut-short", "three bytes of a frame header", (_, _) => ([0, 0, 0], null)),
        Framing("frame-two-messages", "two messages in a call that takes one", (t, w) => t.SingleMessage ? ([.. Frame(Base(t, w)), .. Frame(Base(t, w))], null) : null),
        Framing("frame-no-message", "a call that takes one message, with none", (t, _) => t.SingleMessage ? ([], null) : null),
        Oversized("frame-declaring-5-MiB", "a frame header declaring 5 MiB, followed by 10 bytes", t => [0, 0, 0x50, 0, 0, .. new byte[10]]),
        Oversized("message-of-5-MiB", "a whole 5 MiB frame (the services read 4 MiB)", t => Frame(new byte[5 * MiB])),

        // Batches.
        Batch("batch-empty", "SubmitPunches with no punch, ResolveIdentities with no id", 0),
        Batch("batch-over-limit", "1,001 punches or ids (the limit is 1,000)", 1001),

        // Headers and transport.
        Header("token-of-9-KiB", "a 9 KiB bearer token", r => r with { Authorization = "Bearer " + BigToken(9 * 1024) },
            t => Gateway(t, StatusCode.Unauthenticated, 401, "GATEWAY_TOKEN_TOO_LARGE")),
        Header("token-of-40-KiB", "a 40 KiB bearer token (issue 15: 431, which grpc-js reports as UNKNOWN)", r => r with { Authorization = "Bearer " + BigToken(40 * 1024) },
            t => Gateway(t, StatusCode.Unauthenticated, 401, "GATEWAY_TOKEN_TOO_LARGE")),
        Header("header-of-20-KiB", "20 KiB of metadata besides the token", r => r.WithHeader("x-hostile-padding", new string('p', 20 * 1024)),
            t => Gateway(t, StatusCode.ResourceExhausted, 431, "GATEWAY_HEADERS_TOO_LARGE")),
        Header("two-authorization-headers", "two bearer tokens", r => r.WithHeader("Authorization", "Bearer a.b.c"),
            t => Gateway(t, StatusCode.Unauthenticated, 401, "GATEWAY_UNAUTHENTICATED")),
        Header("token-not-utf8", "a bearer token with the bytes C3 28", r => r with { Authorization = "Bearer \u00c3(.x.y" },
            t => Gateway(t, StatusCode.Unauthenticated, 401, "GATEWAY_TOKEN_INVALID")),
        Header("header-not-utf8", "a metadata value with the bytes C3 28", r => r.WithHeader("x-hostile-note", "\u00c3("),
            t => Gateway(t, StatusCode.InvalidArgument, 400, "GATEWAY_BAD_REQUEST")),
        Header("header-control-character", "a metadata value with U+0001", r => r.WithHeader("x-hostile-note", "a\u0001b"),
            t => Gateway(t, StatusCode.InvalidArgument, 400, "GATEWAY_BAD_REQUEST")),
        GrpcOnly("grpc-over-http1", "a gRPC call over HTTP/1.1 (issue 15: forwarded, its status lost with the trailers)",
            (r, w) => r with { Address = w.HttpAddress, HttpVersion = HttpVersion.Version11 },
            new Refused(false, StatusCode.Unimplemented, 426, "GATEWAY_HTTP2_REQUIRED")),
        GrpcOnly("grpc-web-content-type", "application/grpc-web (not served; Grpc.AspNetCore answered 415 with INTERNAL)", (r, _) => r with { ContentType = "application/grpc-web" },
            new Refused(true, StatusCode.Unimplemented, 415, "GATEWAY_UNSUPPORTED_MEDIA_TYPE")),
        GrpcOnly("grpc-json-content-type", "application/grpc+json over protobuf bytes (was served as if protobuf)", (r, _) => r with { ContentType = "application/grpc+json" },
            new Refused(true, StatusCode.Unimplemented, 415, "GATEWAY_UNSUPPORTED_MEDIA_TYPE")),

        // Bodies of the JSON routes that take one (PUT settings): JSON that is not the route's object, fields it does
        // not have (a tenant among them: the tenant is the token's), values of the wrong type, a body too large.
        Body("body-unknown-field", "a field the body does not have", (t, w) => [("hostile", With(t.BaseBody(w), "hostile", 1), "hostile")]),
        Body("body-tenant-field", "a tenant_id naming another tenant (the tenant is the token's)", (t, w) =>
            [("tenant_id", With(t.BaseBody(w), "tenant_id", Guid.NewGuid().ToString()), "tenant_id")]),
        Body("body-number-for-string", "a number where a string belongs", (t, w) =>
            t.Fields.Select(f => (f.Path, With(t.BaseBody(w), f.Path, 1), (string?)f.Path))),
        Body("body-object-for-string", "an object where a string belongs", (t, w) =>
            t.Fields.Select(f => (f.Path, With(t.BaseBody(w), f.Path, new System.Text.Json.Nodes.JsonObject { ["x"] = 1 }), (string?)f.Path))),
        Body("body-null-for-string", "null where a string is required", (t, w) =>
            t.Fields.Select(f => (f.Path, With(t.BaseBody(w), f.Path, null), (string?)f.Path))),
        Body("body-string-for-boolean", "\"yes\" for enabled", (t, w) => [("enabled", With(t.BaseBody(w), "enabled", "yes"), "enabled")]),
        Body("body-duplicate-field", "the id field twice (a second value must not silently win)", (t, w) =>
            [(t.Fields[0].Path, Encoding.UTF8.GetBytes(t.BaseBody(w).ToJsonString()[..^1] + $",\"{t.Fields[0].Path}\":\"other\"}}"), null)]),
        Body("body-malformed", "JSON cut short", (t, w) => [("", Encoding.UTF8.GetBytes(t.BaseBody(w).ToJsonString()[..^3]), null)]),
        Body("body-array", "a JSON array, not an object", (_, _) => [("", "[1]"u8.ToArray(), null)]),
        Body("body-null", "the JSON literal null", (_, _) => [("", "null"u8.ToArray(), null)]),
        Body("body-empty", "no body at all", (_, _) => [("", [], null)]),
        Body("body-trailing-garbage", "the object followed by more", (t, w) => [("", Encoding.UTF8.GetBytes(t.BaseBody(w).ToJsonString() + "x"), null)]),
        Body("body-text-plain", "the object sent as text/plain", (t, w) => [("", Encoding.UTF8.GetBytes(t.BaseBody(w).ToJsonString()), null)], "text/plain"),

        // Query strings of the JSON routes.
        Query("query-unknown-parameter", "a parameter the route does not have", (t, w) => [([.. t.EncodedBase(w), ("hostile", "1")], "hostile")]),
        Query("query-repeated-parameter", "each parameter given twice", (t, w) =>
            t.EncodedBase(w).Select(p => ((IEnumerable<(string, string)>)[.. t.EncodedBase(w), p], p.Name))),
        Query("query-parameter-in-capitals", "each parameter's name in capitals", (t, w) =>
            t.EncodedBase(w).Select(p => ((IEnumerable<(string, string)>)t.EncodedBase(w).Select(q => q.Name == p.Name ? (q.Name.ToUpperInvariant(), q.EncodedValue) : q), p.Name.ToUpperInvariant()))),
    ];

    public static HostileKind Find(string name) => All.Single(k => k.Name == name);

    // ---------------------------------------------------------------------------------------------------------------
    // How each kind of kind makes its cases.

    private static HostileKind Text(string name, string what, string value) => Text(name, what, (_, _) => value);

    /// <param name="value">The value for (the world, whether it goes in a query string).</param>
    private static HostileKind Text(string name, string what, Func<HostileWorld, bool, string> value, Func<HostileField, bool>? applies = null) =>
        new(name, what, world => StringCases(world, f => f.IsString && (applies?.Invoke(f) ?? true), json => value(world, json), raw: null));

    private static HostileKind Utf8(string name, string what, byte[] bytes) =>
        new(name, what, world => StringCases(world, f => f.IsString, _ => null, bytes));

    private static HostileKind Uuid(string name, string what, Func<string, string> spoil) =>
        new(name, what, world => StringCases(world, f => f.Kind == FieldKind.Uuid, _ => spoil(world.Person.ToString()), raw: null));

    private static HostileKind Date(string name, string what, string value) =>
        new(name, what, world => StringCases(world, f => f.Kind == FieldKind.Date, _ => value, raw: null));

    private static HostileKind Month(string name, string what, string value) =>
        new(name, what, world => StringCases(world, f => f.Kind == FieldKind.Month, _ => value, raw: null));

    private static HostileKind NumberText(string name, string what, string value) =>
        new(name, what, world => StringCases(world, f => f.Kind == FieldKind.NumberText, _ => value, raw: null));

    private static HostileKind Json(string name, string what, string value) =>
        new(name, what, world => StringCases(world, f => f.Kind == FieldKind.Json, _ => value, raw: null));

    /// <summary>A value in each matching string field: as text, or as raw bytes where a generated client would send UTF-8.</summary>
    private static IEnumerable<HostileCase> StringCases(HostileWorld world, Func<HostileField, bool> applies, Func<bool, string?> text, byte[]? raw)
    {
        foreach (var target in HostileTargets.All)
        foreach (var field in target.Fields.Where(applies))
        {
            var where = $"{target.Name} {field.Path}";
            if (target is GrpcTarget grpc)
            {
                var message = grpc.BaseMessage(world);
                byte[] bytes;
                if (raw is null)
                {
                    HostileTargets.Set(message, field.Path, text(false));
                    bytes = message.ToByteArray();
                }
                else
                {
                    // A marker as long as the raw bytes, replaced in the serialized message (lengths stay right).
                    var marker = new string('~', raw.Length);
                    HostileTargets.Set(message, field.Path, marker);
                    bytes = Patch(message.ToByteArray(), Encoding.ASCII.GetBytes(marker), raw);
                }
                Expectation expect = raw is not null
                    ? new Refused(true, StatusCode.InvalidArgument, 400, target.Code, field.WirePath, FieldAnywhere: true)
                    : grpc.HasOutcomes ? new RejectedPunches(target.Code, field.Name) : new Refused(true, StatusCode.InvalidArgument, 400, target.Code, field.Name);
                yield return new HostileCase(where, grpc.Request(world, Frame(bytes)), expect);
            }
            else if (target is JsonBodyTarget body)
            {
                var json = body.BaseBody(world);
                HostileRequest request;
                if (raw is null)
                {
                    json[field.Path] = text(true);
                    request = body.Request(world, json);
                }
                else
                {
                    var marker = new string('~', raw.Length);
                    json[field.Path] = marker;
                    request = body.Request(world, Patch(Encoding.UTF8.GetBytes(json.ToJsonString()), Encoding.ASCII.GetBytes(marker), raw));
                }
                // Bytes that are not UTF-8 make the body unreadable as JSON: refused with the code, the field not named.
                yield return new HostileCase(where, request, new Refused(false, StatusCode.InvalidArgument, 400, target.Code, raw is null ? field.Name : null));
            }
            else if (target is JsonTarget json)
            {
                var encoded = raw is null ? Uri.EscapeDataString(text(true)!) : string.Concat(raw.Select(b => $"%{b:X2}"));
                var query = json.EncodedBase(world).Where(p => p.Name != field.Path).Append((field.Path, encoded));
                yield return new HostileCase(where, json.Request(world, query), new Refused(false, StatusCode.InvalidArgument, 400, target.Code, field.Name));
            }
        }
    }

    private static byte[] Patch(byte[] bytes, byte[] marker, byte[] replacement)
    {
        var at = bytes.AsSpan().IndexOf(marker);
        if (at < 0 || bytes.AsSpan(at + 1).IndexOf(marker) >= 0) throw new InvalidOperationException("the marker is not unique in the message");
        var patched = (byte[])bytes.Clone();
        replacement.CopyTo(patched, at);
        return patched;
    }

    /// <summary>A value in each non-string gRPC field of <paramref name="kind"/>.</summary>
    private static IEnumerable<HostileCase> FieldCases(HostileWorld world, FieldKind kind, object? value, Func<HostileField, bool>? applies = null)
    {
        foreach (var target in HostileTargets.Grpc)
        foreach (var field in target.Fields.Where(f => f.Kind == kind && (applies?.Invoke(f) ?? true)))
        {
            var message = target.BaseMessage(world);
            HostileTargets.Set(message, field.Path, value is Timestamp t ? t.Clone() : value);
            Expectation expect = target.HasOutcomes
                ? new RejectedPunches(target.Code, field.Name)
                : new Refused(true, StatusCode.InvalidArgument, 400, target.Code, field.Name);
            yield return new HostileCase($"{target.Name} {field.Path}", target.Request(world, message), expect);
        }
    }

    private static HostileKind Time(string name, string what, Timestamp? value) =>
        new(name, what, world => FieldCases(world, FieldKind.Timestamp, value));

    private static HostileKind Enum(string name, string what, int number, bool requiredOnly = false) =>
        new(name, what, world => FieldCases(world, FieldKind.Enum, number, f => !requiredOnly || f.Required));

    private static HostileKind Int32(string name, string what, int value) =>
        new(name, what, world => FieldCases(world, FieldKind.Int32, value));

    private static byte[] Base(GrpcTarget target, HostileWorld world) => target.BaseMessage(world).ToByteArray();

    private static byte[] WrongTypeForFirstField(GrpcTarget target, HostileWorld world)
    {
        var first = target.BaseMessage(world).Descriptor.FindFieldByNumber(1);
        var lengthDelimited = first.FieldType is Google.Protobuf.Reflection.FieldType.String or Google.Protobuf.Reflection.FieldType.Message
            or Google.Protobuf.Reflection.FieldType.Bytes;
        return [.. Base(target, world), .. lengthDelimited ? VarintField(1, 1) : BytesField(1, [1])];
    }

    private static HostileKind Wire(string name, string what, Func<GrpcTarget, HostileWorld, byte[]> message, bool namesFirstField = false) =>
        new(name, what, world => HostileTargets.Grpc
            .Where(t => !namesFirstField || t.BaseMessage(world).Descriptor.FindFieldByNumber(1) is not null) // an empty request has no field 1
            .Select(t => new HostileCase(t.Name, t.Request(world, Frame(message(t, world))),
            new Refused(true, StatusCode.InvalidArgument, 400, t.Code,
                namesFirstField ? t.BaseMessage(world).Descriptor.FindFieldByNumber(1).Name : null, FieldAnywhere: true))));

    /// <param name="body">The request body and its grpc-encoding; null when the kind does not apply to the method.</param>
    private static HostileKind Framing(string name, string what, Func<GrpcTarget, HostileWorld, (byte[] Body, string? Encoding)?> body) =>
        new(name, what, world => HostileTargets.Grpc.Select(t => (Target: t, Body: body(t, world))).Where(x => x.Body is not null).Select(x =>
        {
            var request = x.Target.Request(world, x.Body!.Value.Body);
            if (x.Body.Value.Encoding is { } encoding) request = request.WithHeader("grpc-encoding", encoding);
            return new HostileCase(x.Target.Name, request, new Refused(true, StatusCode.InvalidArgument, 400, x.Target.Code));
        }));

    private static HostileKind Oversized(string name, string what, Func<GrpcTarget, byte[]> body) =>
        new(name, what, world => HostileTargets.Grpc.Select(t => new HostileCase(t.Name, t.Request(world, body(t)),
            new Refused(true, StatusCode.ResourceExhausted, 413, t.TooLargeCode))));

    private static HostileKind Batch(string name, string what, int count) => new(name, what, world =>
    [
        new HostileCase("SubmitPunches", Target("SubmitPunches").Request(world, new SubmitPunchesRequest { Punches = { Enumerable.Range(0, count).Select(_ => HostileTargets.Punch(world)) } }),
            new Refused(true, StatusCode.InvalidArgument, 400, "STAFFING_INVALID_ARGUMENT", "punches")),
        new HostileCase("ResolveIdentities", Target("ResolveIdentities").Request(world, new ResolveIdentitiesRequest
            {
                Provider = IdentityProvider.Wecom, RecordUnmapped = true, ExternalUserIds = { Enumerable.Range(0, count).Select(i => $"hx-batch-{i}") },
            }),
            new Refused(true, StatusCode.InvalidArgument, 400, "IDENTITY_INVALID_ARGUMENT", "external_user_ids")),
    ]);

    private static GrpcTarget Target(string name) => HostileTargets.Grpc.Single(t => t.Name == name);

    /// <summary>The request each target accepts (<see cref="HostileInputTests"/>' control).</summary>
    public static HostileRequest BaseRequest(HostileTarget target, HostileWorld world) => target switch
    {
        GrpcTarget grpc => grpc.Request(world, grpc.BaseMessage(world)),
        JsonTarget json => json.Request(world, json.EncodedBase(world)),
        JsonBodyTarget body => body.Request(world, body.BaseBody(world)),
        _ => throw new ArgumentOutOfRangeException(nameof(target)),
    };

    private static HostileKind Header(string name, string what, Func<HostileRequest, HostileRequest> spoil, Func<HostileTarget, Expectation> expect) =>
        new(name, what, world => HostileTargets.All.Select(t => new HostileCase(t.Name, spoil(BaseRequest(t, world)), expect(t))));

    private static HostileKind GrpcOnly(string name, string what, Func<HostileRequest, HostileWorld, HostileRequest> spoil, Expectation expect) =>
        new(name, what, world => HostileTargets.Grpc.Select(t => new HostileCase(t.Name, spoil(BaseRequest(t, world), world), expect)));

    /// <summary>The gateway's own refusal: a gRPC status for a gRPC call, problem details for a JSON one.</summary>
    private static Refused Gateway(HostileTarget target, StatusCode grpc, int http, string code) => new(target is GrpcTarget, grpc, http, code);

    private static string BigToken(int bytes) => "eyJhbGciOiJIUzI1NiJ9." + new string('A', bytes - 40) + ".c2ln";

    private static byte[] With(System.Text.Json.Nodes.JsonObject body, string field, System.Text.Json.Nodes.JsonNode? value)
    {
        body[field] = value;
        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    /// <param name="cases">Per case: where, the body, and the field the refusal must name (null: none).</param>
    private static HostileKind Body(string name, string what, Func<JsonBodyTarget, HostileWorld, IEnumerable<(string Where, byte[] Body, string? Field)>> cases,
        string contentType = "application/json") =>
        new(name, what, world => HostileTargets.JsonBodies.SelectMany(t => cases(t, world).Select(c =>
            new HostileCase($"{t.Name} {c.Where}", t.Request(world, c.Body, contentType),
                new Refused(false, StatusCode.InvalidArgument, 400, t.Code, c.Field, FieldAnywhere: true)))));

    private static HostileKind Query(string name, string what, Func<JsonTarget, HostileWorld, IEnumerable<(IEnumerable<(string Name, string EncodedValue)> Query, string Names)>> cases) =>
        new(name, what, world => HostileTargets.Json.SelectMany(t => cases(t, world).Select(c =>
            new HostileCase($"{t.Name} {c.Names}", t.Request(world, c.Query), new Refused(false, StatusCode.InvalidArgument, 400, t.Code, c.Names)))));
}
