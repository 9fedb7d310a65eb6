using System.Collections.Concurrent;
using Grpc.Core;
using HrmsAttendance.Contracts.Accounts.V1;
using HrmsAttendance.Contracts.Adjustments.V1;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Imports.V1;
using HrmsAttendance.Contracts.Integrations.DingTalk.V1;
using HrmsAttendance.Contracts.Integrations.WeCom.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Results.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace HrmsAttendance.Web.Tests;

/// <summary>
/// The gateway's gRPC surface in memory: fake services (subclasses of the generated bases) on a TestServer, so the
/// pages' real clients make real gRPC calls. Each fake records the bearer token it was called with; a test arranges
/// data or a refusal (an <see cref="RpcException"/> with a stable code, as the gateway and services answer).
/// </summary>
public sealed class FakeGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    public FakeResults Results { get; } = new();
    public FakeLedger Ledger { get; } = new();
    public FakeIdentity Identity { get; } = new();
    public FakeImports Imports { get; } = new();
    public FakeAdjustments Adjustments { get; } = new();
    public FakeAccounts Accounts { get; } = new();
    public ConcurrentQueue<string> Authorizations { get; } = new();

    private FakeGateway(WebApplication app) => _app = app;

    private FakeGateway(FakeGateway arranged, WebApplication app) : this(app)
    {
        Results = arranged.Results; Ledger = arranged.Ledger; Identity = arranged.Identity; Imports = arranged.Imports; Adjustments = arranged.Adjustments;
        Accounts = arranged.Accounts;
    }

    public static async Task<FakeGateway> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddGrpc();
        // Grpc.AspNetCore takes a service instance from DI when there is one: the fakes live as long as the gateway.
        var fakes = new FakeGateway(null!);
        builder.Services.AddSingleton(fakes.Results).AddSingleton(fakes.Ledger).AddSingleton(fakes.Identity).AddSingleton(fakes.Imports).AddSingleton(fakes.Adjustments)
            .AddSingleton(fakes.Accounts);
        var app = builder.Build();
        var gateway = new FakeGateway(fakes, app);
        app.Use((context, next) =>
        {
            gateway.Authorizations.Enqueue(context.Request.Headers.Authorization.ToString());
            return next(context);
        });
        app.MapGrpcService<FakeResults>();
        app.MapGrpcService<FakeLedger>();
        app.MapGrpcService<FakeIdentity>();
        app.MapGrpcService<FakeImports>();
        app.MapGrpcService<FakeDingTalk>();
        app.MapGrpcService<FakeAdjustments>();
        app.MapGrpcService<FakeAccounts>();
        app.MapGrpcService<FakeWeCom>();
        await app.StartAsync();
        return gateway;
    }

    public HttpMessageHandler CreateHandler() => _app.GetTestServer().CreateHandler();

    public IServiceProvider Services => _app.Services;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    public static RpcException Refusal(StatusCode status, string code, string detail) => new(new Grpc.Core.Status(status, $"{code}: {detail}"));
}

/// <summary>daily-results: one person's results and summary, or a refusal.</summary>
public sealed class FakeResults : DailyResults.DailyResultsBase
{
    public List<DailyResult> Stored { get; } = [];
    public MonthlySummary Summary { get; set; } = new();
    public RpcException? Refuse { get; set; }
    public ConcurrentQueue<ListDailyResultsRequest> ListRequests { get; } = new();

    public override Task<ListDailyResultsResponse> ListDailyResults(ListDailyResultsRequest request, ServerCallContext context)
    {
        ListRequests.Enqueue(request);
        if (Refuse is not null) throw Refuse;
        var response = new ListDailyResultsResponse();
        response.Results.AddRange(Stored.Where(result => result.PersonUuid == request.PersonUuid
            && string.CompareOrdinal(result.WorkDate, request.FromDate) >= 0 && string.CompareOrdinal(result.WorkDate, request.ToDate) <= 0));
        return Task.FromResult(response);
    }

    /// <summary>What WatchDailyResults streams: a test writes changes here.</summary>
    public System.Threading.Channels.Channel<DailyResultChange> Changes { get; } = System.Threading.Channels.Channel.CreateUnbounded<DailyResultChange>();
    public ConcurrentQueue<WatchDailyResultsRequest> WatchRequests { get; } = new();

    public override async Task WatchDailyResults(WatchDailyResultsRequest request, IServerStreamWriter<DailyResultChange> responseStream, ServerCallContext context)
    {
        WatchRequests.Enqueue(request);
        await context.WriteResponseHeadersAsync([]); // as daily-results does: the stream is open before the first change
        await foreach (var change in Changes.Reader.ReadAllAsync(context.CancellationToken))
            await responseStream.WriteAsync(change);
    }

    public override Task<MonthlySummary> GetMonthlySummary(GetMonthlySummaryRequest request, ServerCallContext context)
    {
        if (Refuse is not null) throw Refuse;
        return Task.FromResult(new MonthlySummary(Summary) { PersonUuid = request.PersonUuid, Month = request.Month });
    }
}

public sealed class FakeLedger : PunchLedger.PunchLedgerBase
{
    public List<Punch> Stored { get; } = [];

    public override async Task ListPunches(ListPunchesRequest request, IServerStreamWriter<Punch> responseStream, ServerCallContext context)
    {
        foreach (var punch in Stored.Where(punch => punch.PersonUuid == request.PersonUuid))
            await responseStream.WriteAsync(punch);
    }
}

public sealed class FakeIdentity : IdentityMapping.IdentityMappingBase
{
    public List<Person> Persons { get; } = [];
    public List<UnmappedIdentity> Unmapped { get; } = [];
    public ConcurrentQueue<LinkIdentityRequest> Links { get; } = new();
    public RpcException? RefuseLink { get; set; }
    public RpcException? RefuseCreate { get; set; }

    public override Task<ListPersonsResponse> ListPersons(ListPersonsRequest request, ServerCallContext context)
    {
        var response = new ListPersonsResponse();
        response.Persons.AddRange(Persons.Where(person => request.Search.Length == 0
            || person.DisplayName.Contains(request.Search, StringComparison.OrdinalIgnoreCase)
            || person.EmployeeNumber.Contains(request.Search, StringComparison.OrdinalIgnoreCase)));
        return Task.FromResult(response);
    }

    public override Task<Person> CreatePerson(CreatePersonRequest request, ServerCallContext context)
    {
        if (RefuseCreate is not null) throw RefuseCreate;
        var person = new Person { PersonUuid = Guid.NewGuid().ToString(), EmployeeNumber = request.EmployeeNumber, DisplayName = request.DisplayName, Active = true };
        Persons.Add(person);
        return Task.FromResult(person);
    }

    public override Task<Person> UpdatePerson(UpdatePersonRequest request, ServerCallContext context)
    {
        var person = Persons.Single(p => p.PersonUuid == request.PersonUuid);
        if (request.HasActive) person.Active = request.Active;
        return Task.FromResult(person);
    }

    public override Task<ListUnmappedResponse> ListUnmapped(ListUnmappedRequest request, ServerCallContext context)
    {
        var response = new ListUnmappedResponse();
        response.Identities.AddRange(Unmapped.Where(u => request.Provider == IdentityProvider.Unspecified || u.Provider == request.Provider));
        return Task.FromResult(response);
    }

    public override Task<IdentityLink> LinkIdentity(LinkIdentityRequest request, ServerCallContext context)
    {
        Links.Enqueue(request);
        if (RefuseLink is not null) throw RefuseLink;
        Unmapped.RemoveAll(u => u.Provider == request.Provider && u.ExternalUserId == request.ExternalUserId);
        return Task.FromResult(new IdentityLink { Provider = request.Provider, ExternalUserId = request.ExternalUserId, PersonUuid = request.PersonUuid });
    }
}

/// <summary>punch-ledger's imports: a file is PARSING for <see cref="PollsWhileParsing"/> reads, then PARSED with one bad row.</summary>
public sealed class FakeImports : Imports.ImportsBase
{
    public byte[] Uploaded { get; private set; } = [];
    public string? UploadedFormat { get; private set; }
    public CommitImportRequest? Committed { get; private set; }
    public int PollsWhileParsing { get; set; } = 1;
    private ImportStatus _status = new();

    public override async Task<PrepareImportResponse> PrepareImport(IAsyncStreamReader<PrepareImportRequest> requestStream, ServerCallContext context)
    {
        using var file = new MemoryStream();
        await foreach (var part in requestStream.ReadAllAsync())
        {
            if (part.Header is not null) UploadedFormat = part.Header.Format;
            else part.Chunk.WriteTo(file);
        }
        Uploaded = file.ToArray();
        _status = new ImportStatus { ImportId = Guid.NewGuid().ToString(), Status = "PARSING", FileName = "march.csv" };
        return new PrepareImportResponse { Import = _status, CommitToken = "commit-token-1" };
    }

    public override Task<ImportStatus> GetImport(GetImportRequest request, ServerCallContext context)
    {
        if (_status.Status == "PARSING" && PollsWhileParsing-- <= 0)
            _status = new ImportStatus(_status) { Status = "PARSED", RowsRead = 3, RowsValid = 2, RowsInvalid = 1 };
        else if (_status.Status == "COMMITTING")
            _status = new ImportStatus(_status) { Status = "COMMITTED", RowsCommitted = 2, RowsAccepted = 2 };
        return Task.FromResult(_status);
    }

    public override Task<PreviewImportResponse> PreviewImport(PreviewImportRequest request, ServerCallContext context)
    {
        var response = new PreviewImportResponse { Import = _status, Persons = 1, PersonDays = 1, FromDate = "2026-03-02", ToDate = "2026-03-02" };
        response.ErrorsByCode["IMPORT_ROW_BAD_TIME"] = 1;
        if (!request.OnlyErrors)
            response.Rows.Add(new ImportRow { Line = 2, Person = "E001", Time = "2026-03-02 09:00", Type = "IN" });
        response.Rows.Add(new ImportRow { Line = 4, Person = "E001", Time = "yesterday", Type = "OUT", ErrorCode = "IMPORT_ROW_BAD_TIME", ErrorDetail = "punch_time cannot be read" });
        return Task.FromResult(response);
    }

    public override Task<CommitImportResponse> CommitImport(CommitImportRequest request, ServerCallContext context)
    {
        Committed = request;
        if (request.CommitToken != "commit-token-1")
            throw FakeGateway.Refusal(StatusCode.FailedPrecondition, "IMPORT_TOKEN_INVALID", "the commit token does not match");
        _status = new ImportStatus(_status) { Status = "COMMITTING" };
        return Task.FromResult(new CommitImportResponse { Import = _status });
    }
}

public sealed class FakeDingTalk : DingTalkIntegration.DingTalkIntegrationBase
{
    public override Task<HrmsAttendance.Contracts.Integrations.DingTalk.V1.Status> GetStatus(
        HrmsAttendance.Contracts.Integrations.DingTalk.V1.GetStatusRequest request, ServerCallContext context) =>
        Task.FromResult(new HrmsAttendance.Contracts.Integrations.DingTalk.V1.Status { Configured = true, Enabled = true, State = "CONNECTED", EventsAcknowledged = 42 });
}

public sealed class FakeWeCom : WeComIntegration.WeComIntegrationBase
{
    public override Task<HrmsAttendance.Contracts.Integrations.WeCom.V1.Status> GetStatus(
        HrmsAttendance.Contracts.Integrations.WeCom.V1.GetStatusRequest request, ServerCallContext context) =>
        throw FakeGateway.Refusal(StatusCode.Unavailable, "GATEWAY_UPSTREAM_UNAVAILABLE", "wecom-connector is not reachable");
}

/// <summary>punch-ledger's adjustments: requests kept in memory, decisions as the real service answers them.</summary>
public sealed class FakeAdjustments : HrmsAttendance.Contracts.Adjustments.V1.Adjustments.AdjustmentsBase
{
    public List<AdjustmentRequest> Stored { get; } = [];
    public ConcurrentQueue<RequestAdjustmentRequest> Requests { get; } = new();
    public RpcException? RefuseDecision { get; set; }

    public override Task<AdjustmentRequest> RequestAdjustment(RequestAdjustmentRequest request, ServerCallContext context)
    {
        Requests.Enqueue(request);
        var stored = new AdjustmentRequest
        {
            AdjustmentId = Guid.NewGuid().ToString(), PersonUuid = request.PersonUuid, PunchTime = request.PunchTime, PunchType = request.PunchType,
            Reason = request.Reason, Status = AdjustmentStatus.Requested, RequestedAt = request.PunchTime,
        };
        Stored.Add(stored);
        return Task.FromResult(stored);
    }

    public override Task<ListAdjustmentsResponse> ListAdjustments(ListAdjustmentsRequest request, ServerCallContext context)
    {
        var response = new ListAdjustmentsResponse();
        response.Adjustments.AddRange(Stored.Where(a => a.PersonUuid == request.PersonUuid));
        return Task.FromResult(response);
    }

    public override Task<ListAdjustmentsResponse> ListPendingApprovals(ListPendingApprovalsRequest request, ServerCallContext context)
    {
        var response = new ListAdjustmentsResponse();
        response.Adjustments.AddRange(Stored.Where(a => a.Status == AdjustmentStatus.Requested));
        return Task.FromResult(response);
    }

    public override Task<AdjustmentRequest> ApproveAdjustment(DecideAdjustmentRequest request, ServerCallContext context) =>
        Decide(request, AdjustmentStatus.Approved);

    public override Task<AdjustmentRequest> RejectAdjustment(DecideAdjustmentRequest request, ServerCallContext context) =>
        Decide(request, AdjustmentStatus.Rejected);

    public override Task<AdjustmentRequest> WithdrawAdjustment(WithdrawAdjustmentRequest request, ServerCallContext context) =>
        Decide(new DecideAdjustmentRequest { AdjustmentId = request.AdjustmentId }, AdjustmentStatus.Withdrawn);

    private Task<AdjustmentRequest> Decide(DecideAdjustmentRequest request, AdjustmentStatus status)
    {
        if (RefuseDecision is not null) throw RefuseDecision;
        var stored = Stored.Single(a => a.AdjustmentId == request.AdjustmentId);
        stored.Status = status;
        stored.DecisionComment = request.Comment;
        if (status == AdjustmentStatus.Approved) stored.AffectedWorkDates.Add("2026-03-16");
        return Task.FromResult(stored);
    }
}

/// <summary>identity's Accounts: users kept in memory, or a refusal.</summary>
public sealed class FakeAccounts : Accounts.AccountsBase
{
    public List<User> Users { get; } = [];
    public RpcException? Refuse { get; set; }

    public override Task<ListUsersResponse> ListUsers(ListUsersRequest request, ServerCallContext context)
    {
        var response = new ListUsersResponse();
        response.Users.AddRange(Users);
        return Task.FromResult(response);
    }

    public override Task<User> CreateUser(CreateUserRequest request, ServerCallContext context)
    {
        if (Refuse is not null) throw Refuse;
        var user = new User { UserId = Guid.NewGuid().ToString(), UserName = request.UserName, DisplayName = request.DisplayName, PersonId = request.PersonId, Active = true };
        user.Roles.AddRange(request.Roles);
        Users.Add(user);
        return Task.FromResult(user);
    }

    public override Task<User> SetUserRoles(SetUserRolesRequest request, ServerCallContext context)
    {
        if (Refuse is not null) throw Refuse;
        var user = Users.Single(u => u.UserId == request.UserId);
        user.Roles.Clear();
        user.Roles.AddRange(request.Roles);
        return Task.FromResult(user.Clone());
    }

    public override Task<User> DeactivateUser(DeactivateUserRequest request, ServerCallContext context)
    {
        var user = Users.Single(u => u.UserId == request.UserId);
        user.Active = false;
        return Task.FromResult(user.Clone());
    }

    /// <summary>The temporary password the next reset returns.</summary>
    public string TemporaryPassword { get; set; } = "Abcd-Efgh-Jkmn-Pqrs";
    public List<string> Resets { get; } = [];

    public override Task<ResetPasswordResponse> ResetPassword(ResetPasswordRequest request, ServerCallContext context)
    {
        if (Refuse is not null) throw Refuse;
        var user = Users.Single(u => u.UserId == request.UserId);
        Resets.Add(user.UserId);
        user.MustChangePassword = true;
        user.LockedUntil = null;
        return Task.FromResult(new ResetPasswordResponse { User = user.Clone(), TemporaryPassword = TemporaryPassword });
    }

    public override Task<User> UnlockUser(UnlockUserRequest request, ServerCallContext context)
    {
        if (Refuse is not null) throw Refuse;
        var user = Users.Single(u => u.UserId == request.UserId);
        user.LockedUntil = null;
        return Task.FromResult(user.Clone());
    }
}
