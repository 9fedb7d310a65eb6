using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Contracts.Imports.V1;
using HrmsAttendance.PunchLedger.Imports;
using HrmsAttendance.PunchLedger.IntegrationTests.Grpc;
using ImportsClient = HrmsAttendance.Contracts.Imports.V1.Imports.ImportsClient;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Imports;

/// <summary>attendance.imports.v1 on the real service: the same pipeline as the JSON routes, the upload as a client stream.</summary>
[Collection(ImportCollection.Name)]
public sealed class ImportGrpcTests(ImportFixture fixture)
{
    private static CallOptions For(Guid tenant) => new(
        new Metadata { { "authorization", "Bearer " + PunchLedgerServiceFixture.AccessTokens.Issue(tenant) } },
        DateTime.UtcNow.AddSeconds(60));

    [Fact]
    public async Task A_file_streamed_in_chunks_is_previewed_committed_reported_and_audited()
    {
        var tenant = Guid.NewGuid();
        await fixture.PersonsAsync(tenant, "G1");
        using var channel = GrpcChannel.ForAddress(fixture.Service.GrpcEndpoint);
        var client = new ImportsClient(channel);

        var template = await client.GetTemplateAsync(new GetTemplateRequest { Format = "dingtalk" }, For(tenant));
        Assert.StartsWith("\uFEFF姓名,工号,UserId", Encoding.UTF8.GetString(template.Content.Span));

        var file = Encoding.UTF8.GetBytes("employee_number,punch_time,punch_type\r\nG1,2026-03-09 08:59,IN\r\nG1,2026-03-09 18:02,OUT\r\nX9,2026-03-09 18:02,OUT\r\n");
        using var upload = client.PrepareImport(For(tenant));
        await upload.RequestStream.WriteAsync(new PrepareImportRequest { Header = new PrepareImportHeader { Format = "csv", FileName = "g.csv" } });
        foreach (var part in file.Chunk(10))
            await upload.RequestStream.WriteAsync(new PrepareImportRequest { Chunk = ByteString.CopyFrom(part) });
        await upload.RequestStream.CompleteAsync();
        var prepared = await upload;
        Assert.Equal(file.Length, prepared.Import.FileBytes);
        var id = prepared.Import.ImportId;

        var status = prepared.Import;
        for (var i = 0; i < 300 && status.Status == "PARSING"; i++)
        {
            await Task.Delay(100);
            status = await client.GetImportAsync(new GetImportRequest { ImportId = id }, For(tenant));
        }
        Assert.Equal(("PARSED", 2, 1), (status.Status, status.RowsValid, status.RowsInvalid));

        var preview = await client.PreviewImportAsync(new PreviewImportRequest { ImportId = id, OnlyErrors = true }, For(tenant));
        Assert.Equal(ImportErrors.RowCodes.UnknownEmployee, Assert.Single(preview.Rows).ErrorCode);
        Assert.Equal((1, "2026-03-08", "2026-03-09"), (preview.Persons, preview.FromDate, preview.ToDate));

        var commit = await client.CommitImportAsync(new CommitImportRequest { ImportId = id, CommitToken = prepared.CommitToken, IdempotencyKey = "g-1" }, For(tenant));
        Assert.Equal(("COMMITTING", false), (commit.Import.Status, commit.Replayed));
        var replay = await client.CommitImportAsync(new CommitImportRequest { ImportId = id, CommitToken = prepared.CommitToken, IdempotencyKey = "g-1" }, For(tenant));
        Assert.True(replay.Replayed);
        for (var i = 0; i < 300 && status.Status != "COMMITTED"; i++)
        {
            await Task.Delay(100);
            status = await client.GetImportAsync(new GetImportRequest { ImportId = id }, For(tenant));
        }
        Assert.Equal(("COMMITTED", 2), (status.Status, status.RowsAccepted));

        using var report = client.GetImportReport(new GetImportRequest { ImportId = id }, For(tenant));
        var rows = new List<ImportRow>();
        await foreach (var row in report.ResponseStream.ReadAllAsync()) rows.Add(row);
        Assert.Equal(["ACCEPTED", "ACCEPTED", ""], rows.Select(r => r.Outcome));

        var audit = await client.ListImportAuditAsync(new ListImportAuditRequest(), For(tenant));
        Assert.Equal(["COMMITTED", "COMMIT_REQUESTED", "PARSED", "PREPARE"], audit.Entries.Select(e => e.Action));

        var stranger = await Assert.ThrowsAsync<RpcException>(() => client.GetImportAsync(new GetImportRequest { ImportId = id }, For(Guid.NewGuid())).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, stranger.StatusCode);
        Assert.StartsWith(ImportErrors.NotFound + ":", stranger.Status.Detail);
        var bad = await Assert.ThrowsAsync<RpcException>(() => client.GetTemplateAsync(new GetTemplateRequest { Format = "xlsx" }, For(tenant)).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
    }
}
