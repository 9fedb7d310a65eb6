using Google.Protobuf;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.Gateway.Access;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Tokens;
using static HrmsAttendance.Gateway.Tests.Access.AccessMatrixTests;
using static HrmsAttendance.Gateway.Tests.Access.AccessTestKit;

namespace HrmsAttendance.Gateway.Tests.Access;

/// <summary>Own-person grants (employees) checked against real gRPC frames and JSON queries.</summary>
public sealed class OwnPersonTests
{
    private const string SubmitPunch = "/attendance.ledger.v1.PunchLedger/SubmitPunch";
    private const string SubmitPunches = "/attendance.ledger.v1.PunchLedger/SubmitPunches";
    private const string StreamPunches = "/attendance.ledger.v1.PunchLedger/StreamPunches";
    private const string ListDailyResults = "/attendance.results.v1.DailyResults/ListDailyResults";

    private readonly AccessControl _control = new();
    private readonly CallerPrincipal _employee = Principal(Own, AccessRoles.Employee);

    private Task<GatewayError?> Authorize(Microsoft.AspNetCore.Http.HttpContext context, CallerPrincipal? principal = null) =>
        _control.AuthorizeAsync(context, principal ?? _employee,
            OperationCatalog.ForGrpc(context.Request.Path.Value!) ?? OperationCatalog.ForHttp(context.Request.Method, context.Request.Path.Value!)!);

    [Fact]
    public async Task Own_punch_is_allowed_and_the_forwarded_bytes_are_the_ones_sent()
    {
        var frame = Frame(new SubmitPunchRequest { Punch = ManualPunch(Own) });
        var context = GrpcContext(SubmitPunch, frame);

        Assert.Null(await Authorize(context));

        Assert.Equal(0, context.Request.Body.Position);
        Assert.Equal(frame, await BodyBytes(context.Request));
        Assert.Equal(frame.Length, context.Request.ContentLength);
    }

    [Fact]
    public async Task Own_person_in_upper_case_is_still_the_own_person_and_forwarded_unchanged()
    {
        var frame = Frame(new ListDailyResultsRequest { PersonUuid = Own.ToString("D").ToUpperInvariant() });
        var context = GrpcContext(ListDailyResults, frame, contentLength: false);

        Assert.Null(await Authorize(context));
        Assert.Equal(frame, await BodyBytes(context.Request));
    }

    [Fact]
    public async Task Another_persons_results_are_forbidden()
    {
        var error = await Authorize(GrpcContext(ListDailyResults, Frame(new ListDailyResultsRequest { PersonUuid = Other.ToString("D") })));

        Assert.Equal(GatewayErrors.Forbidden, error?.Code);
        Assert.Contains(Other.ToString("D"), error!.Detail);
    }

    [Theory]
    [InlineData("")]
    [InlineData("me")]
    [InlineData("0b6f2c558c1e4d0ea3f55f1d8b1f3a20")]          // the own person, but not canonical
    [InlineData(" 0b6f2c55-8c1e-4d0e-a3f5-5f1d8b1f3a20")]
    public async Task A_person_that_is_not_a_canonical_own_uuid_is_forbidden(string personUuid)
    {
        var error = await Authorize(GrpcContext(ListDailyResults, Frame(new ListDailyResultsRequest { PersonUuid = personUuid })));

        Assert.Equal(GatewayErrors.Forbidden, error?.Code);
    }

    [Fact]
    public async Task Employee_may_not_submit_a_platform_punch_even_for_itself()
    {
        var punch = ManualPunch(Own);
        punch.SourceProvider = SourceProvider.Dingtalk;
        punch.SourceEventId = "ding-1";

        var error = await Authorize(GrpcContext(SubmitPunch, Frame(new SubmitPunchRequest { Punch = punch })));

        Assert.Equal(GatewayErrors.Forbidden, error?.Code);
        Assert.Contains("MANUAL", error!.Detail);
    }

    [Fact]
    public async Task Submit_punch_without_a_punch_is_forbidden()
    {
        var error = await Authorize(GrpcContext(SubmitPunch, Frame(new SubmitPunchRequest())));

        Assert.Equal(GatewayErrors.Forbidden, error?.Code);
    }

    [Fact]
    public async Task Own_batch_is_allowed()
    {
        var frame = Frame(new SubmitPunchesRequest { Punches = { ManualPunch(Own), ManualPunch(Own), ManualPunch(Own) } });
        var context = GrpcContext(SubmitPunches, frame);

        Assert.Null(await Authorize(context));
        Assert.Equal(frame, await BodyBytes(context.Request));
    }

    [Fact]
    public async Task A_batch_with_one_foreign_punch_is_forbidden()
    {
        var request = new SubmitPunchesRequest { Punches = { ManualPunch(Own), ManualPunch(Own), ManualPunch(Other), ManualPunch(Own) } };

        var error = await Authorize(GrpcContext(SubmitPunches, Frame(request)));

        Assert.Equal(GatewayErrors.Forbidden, error?.Code);
        Assert.Contains("punches[2]", error!.Detail);
    }

    [Fact]
    public async Task A_batch_with_one_imported_punch_is_forbidden()
    {
        var imported = ManualPunch(Own);
        imported.SourceProvider = SourceProvider.Import;

        var error = await Authorize(GrpcContext(SubmitPunches, Frame(new SubmitPunchesRequest { Punches = { ManualPunch(Own), imported } })));

        Assert.Equal(GatewayErrors.Forbidden, error?.Code);
    }

    [Fact]
    public async Task Employee_may_not_stream_punches_even_its_own()
    {
        var error = await Authorize(GrpcContext(StreamPunches, Frame(ManualPunch(Own))));

        Assert.Equal(GatewayErrors.Forbidden, error?.Code);
        Assert.Contains("StreamPunches", error!.Detail);
    }

    [Fact]
    public async Task Employee_without_person_id_is_forbidden()
    {
        var error = await Authorize(GrpcContext(SubmitPunch, Frame(new SubmitPunchRequest { Punch = ManualPunch(Own) })),
            Principal(null, AccessRoles.Employee));

        Assert.Equal(GatewayErrors.Forbidden, error?.Code);
        Assert.Contains("person_id", error!.Detail);
    }

    [Fact]
    public async Task Tenant_wide_grant_does_not_touch_the_body()
    {
        var body = new MemoryStream(Frame(new SubmitPunchRequest { Punch = ManualPunch(Other) }));
        var context = GrpcContext(SubmitPunch, []);
        context.Request.Body = body;

        Assert.Null(await Authorize(context, Principal(null, AccessRoles.Integration)));
        Assert.Same(body, context.Request.Body);
        Assert.Equal(0, body.Position);
    }

    [Fact]
    public async Task Malformed_message_is_a_bad_request()
    {
        byte[] frame = [0, 0, 0, 0, 6, 0x0A, 0x24, 0xFF, 0xFF, 0xFF, 0xFF];   // field 1, length 36, but 4 bytes

        var error = await Authorize(GrpcContext(ListDailyResults, frame));

        Assert.Equal(GatewayErrors.BadRequest, error?.Code);
    }

    [Theory]
    [InlineData(new byte[0])]                                   // no message at all
    [InlineData(new byte[] { 0, 0, 0 })]                        // half a header
    [InlineData(new byte[] { 0, 0, 0, 0, 10, 0x0A, 0x01 })]     // declares 10 bytes, carries 2
    [InlineData(new byte[] { 2, 0, 0, 0, 0 })]                  // compressed flag 2
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]   // two (empty) messages in a unary call
    public async Task Malformed_frame_is_a_bad_request(byte[] body)
    {
        var error = await Authorize(GrpcContext(ListDailyResults, body));

        Assert.Equal(GatewayErrors.BadRequest, error?.Code);
    }

    [Fact]
    public async Task A_gzip_message_is_inspected_inflated_and_forwarded_as_sent()
    {
        var own = Frame(new ListDailyResultsRequest { PersonUuid = Own.ToString("D") }, compress: true);
        var other = Frame(new ListDailyResultsRequest { PersonUuid = Other.ToString("D") }, compress: true);
        Assert.Equal(1, own[0]);
        var ownContext = GrpcContext(ListDailyResults, own);
        ownContext.Request.Headers["grpc-encoding"] = "gzip";
        var otherContext = GrpcContext(ListDailyResults, other);
        otherContext.Request.Headers["grpc-encoding"] = "gzip";

        Assert.Null(await Authorize(ownContext));
        Assert.Equal(own, await BodyBytes(ownContext.Request)); // still compressed: the service inflates it
        Assert.Equal(GatewayErrors.Forbidden, (await Authorize(otherContext))?.Code);
    }

    [Theory]
    [InlineData("")]          // flag 1 without an encoding
    [InlineData("identity")]
    [InlineData("deflate")]
    public async Task A_compressed_message_in_another_encoding_is_a_bad_request(string encoding)
    {
        var frame = Frame(new ListDailyResultsRequest { PersonUuid = Own.ToString("D") }, compress: true);
        var context = GrpcContext(ListDailyResults, frame);
        if (encoding.Length > 0) context.Request.Headers["grpc-encoding"] = encoding;

        var error = await Authorize(context);

        Assert.Equal(GatewayErrors.BadRequest, error?.Code);
        Assert.Contains("gzip or uncompressed", error!.Detail);
    }

    [Fact]
    public async Task A_message_flagged_gzip_that_is_not_gzip_is_a_bad_request()
    {
        var payload = new ListDailyResultsRequest { PersonUuid = Own.ToString("D") }.ToByteArray();
        byte[] frame = [1, 0, 0, 0, (byte)payload.Length, .. payload];
        var context = GrpcContext(ListDailyResults, frame);
        context.Request.Headers["grpc-encoding"] = "gzip";

        var error = await Authorize(context);

        Assert.Equal(GatewayErrors.BadRequest, error?.Code);
        Assert.Contains("not valid gzip", error!.Detail);
    }

    [Fact]
    public async Task A_gzip_message_that_inflates_past_one_mebibyte_is_too_large()
    {
        var punch = ManualPunch(Own);
        punch.PayloadJson = "{\"x\":\"" + new string('a', AccessControl.MaxInspectedMessageBytes) + "\"}";
        var frame = Frame(new SubmitPunchRequest { Punch = punch }, compress: true);
        Assert.True(frame.Length < AccessControl.MaxInspectedMessageBytes / 100); // small on the wire, large inflated
        var context = GrpcContext(SubmitPunch, frame);
        context.Request.Headers["grpc-encoding"] = "gzip";

        var error = await Authorize(context);

        Assert.Equal(GatewayErrors.PayloadTooLarge, error?.Code);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_message_over_one_mebibyte_is_too_large(bool contentLength)
    {
        var punch = ManualPunch(Own);
        punch.PayloadJson = "{\"x\":\"" + new string('a', AccessControl.MaxInspectedMessageBytes) + "\"}";
        var frame = Frame(new SubmitPunchRequest { Punch = punch });
        Assert.True(frame.Length > AccessControl.MaxInspectedMessageBytes + HeaderSize);

        var error = await Authorize(GrpcContext(SubmitPunch, frame, contentLength));

        Assert.Equal(GatewayErrors.PayloadTooLarge, error?.Code);
    }

    [Fact]
    public async Task A_message_just_under_one_mebibyte_is_inspected()
    {
        var punch = ManualPunch(Own);
        var size = Frame(new SubmitPunchRequest { Punch = punch }).Length - HeaderSize;
        punch.PayloadJson = new string('a', AccessControl.MaxInspectedMessageBytes - size - 8);
        var frame = Frame(new SubmitPunchRequest { Punch = punch });
        Assert.InRange(frame.Length - HeaderSize, AccessControl.MaxInspectedMessageBytes - 16, AccessControl.MaxInspectedMessageBytes);
        var context = GrpcContext(SubmitPunch, frame);

        Assert.Null(await Authorize(context));
        Assert.Equal(frame, await BodyBytes(context.Request));
    }

    [Fact]
    public async Task Http_query_about_the_own_person_is_allowed()
    {
        Assert.Null(await Authorize(Http("GET", "/api/daily-results", $"?person_uuid={Own:D}&from_date=2026-03-01")));
    }

    [Theory]
    [InlineData("?person_uuid=5a3c1f0e-9d2b-4c7a-8e61-0f4b2d9c7a13", GatewayErrors.Forbidden)]   // another person
    [InlineData("?from_date=2026-03-01", GatewayErrors.Forbidden)]                             // no person named
    [InlineData("?person_uuid=", GatewayErrors.Forbidden)]
    [InlineData("?person_uuid=0b6f2c55-8c1e-4d0e-a3f5-5f1d8b1f3a20&person_uuid=5a3c1f0e-9d2b-4c7a-8e61-0f4b2d9c7a13", GatewayErrors.BadRequest)]
    public async Task Http_query_about_anyone_else_is_refused(string query, string code)
    {
        var error = await Authorize(Http("GET", "/api/daily-results", query));

        Assert.Equal(code, error?.Code);
    }

    [Fact]
    public async Task Denied_role_gets_forbidden_naming_role_and_operation()
    {
        var error = await Authorize(Http("GET", "/api/identity/unmapped"), Principal(Own, AccessRoles.Approver));

        Assert.Equal(GatewayErrors.Forbidden, error?.Code);
        Assert.Contains("approver", error!.Detail);
        Assert.Contains(Operations.UnmappedIdentities, error.Detail);
    }

    [Fact]
    public async Task An_operation_that_does_not_match_the_path_cannot_borrow_its_ownership_check()
    {
        // The own-person check belongs to the call's own path; a mismatched operation is never inspected, only refused.
        var context = GrpcContext("/attendance.identity.v1.IdentityMapping/ListPersons", Frame(new ListDailyResultsRequest { PersonUuid = Own.ToString("D") }));

        var error = await _control.AuthorizeAsync(context, _employee, Operations.ReadDailyResults);

        Assert.Equal(GatewayErrors.Forbidden, error?.Code);
    }
}
