using Google.Protobuf;
using Grpc.Core;
using HrmsAttendance.Contracts.Imports.V1;
using HrmsAttendance.Web.Gateway;
using HrmsAttendance.Web.Localization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.Localization;

namespace HrmsAttendance.Web.Components.Pages.Admin;

public enum ImportStep { Upload, Parsing, Preview, Committing, Report }

/// <summary>
/// The import wizard (seed 002): template → upload (PrepareImport, streamed) → parse progress → preview with row codes →
/// commit (the single-use commit token from the upload, an optional idempotency key) → commit progress → report.
/// Progress is read with GetImport every <see cref="PollInterval"/>.
/// </summary>
public partial class ImportWizard
{
    /// <summary>punch-ledger's own limit (Imports:MaxFileBytes); a larger file would be refused with IMPORT_FILE_TOO_LARGE.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;
    private const int ChunkBytes = 256 * 1024;
    public static TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    private static readonly (ImportStep, string)[] Steps =
    [
        (ImportStep.Upload, "StepUpload"), (ImportStep.Parsing, "StepParse"), (ImportStep.Preview, "StepPreview"),
        (ImportStep.Committing, "StepCommit"), (ImportStep.Report, "StepReport"),
    ];

    [Inject] private Imports.ImportsClient ImportsClient { get; set; } = default!;
    [Inject] private IStringLocalizer<SharedResource> L { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;

    public ImportStep Step { get; private set; } = ImportStep.Upload;
    private string format = "csv";
    private bool uploading;
    private bool onlyErrors;
    private string idempotencyKey = "";
    private string? commitToken;
    private ImportStatus? status;
    private PreviewImportResponse? preview;
    private GatewayProblem? problem;
    private readonly CancellationTokenSource disposed = new();

    private async Task UploadAsync(InputFileChangeEventArgs change)
    {
        problem = null;
        uploading = true;
        try
        {
            var file = change.File;
            using var call = ImportsClient.PrepareImport(cancellationToken: disposed.Token);
            await call.RequestStream.WriteAsync(new PrepareImportRequest
            {
                Header = new PrepareImportHeader { Format = format, Encoding = "auto", FileName = file.Name },
            });
            await using (var stream = file.OpenReadStream(MaxFileBytes, disposed.Token))
            {
                var buffer = new byte[ChunkBytes];
                int read;
                while ((read = await stream.ReadAsync(buffer, disposed.Token)) > 0)
                    await call.RequestStream.WriteAsync(new PrepareImportRequest { Chunk = ByteString.CopyFrom(buffer, 0, read) });
            }
            await call.RequestStream.CompleteAsync();
            var prepared = await call.ResponseAsync;
            commitToken = prepared.CommitToken;
            status = prepared.Import;
            Step = ImportStep.Parsing;
            uploading = false;
            StateHasChanged();
            await WaitWhileAsync("PARSING");
            if (status?.Status == "PARSED") await LoadPreviewAsync();
            else Step = ImportStep.Report;
        }
        catch (IOException exception)
        {
            // The browser's file was larger than MaxFileBytes (or could not be read): nothing was sent for it to keep.
            problem = new GatewayProblem("IMPORT_FILE_TOO_LARGE", exception.Message, StatusCode.ResourceExhausted);
        }
        catch (RpcException exception) when (exception.StatusCode != StatusCode.Cancelled)
        {
            problem = GatewayProblem.From(exception);
        }
        finally
        {
            uploading = false;
        }
    }

    /// <summary>Polls GetImport while the import is in <paramref name="state"/>.</summary>
    private async Task WaitWhileAsync(string state)
    {
        while (status?.Status == state && !disposed.IsCancellationRequested)
        {
            await Task.Delay(PollInterval, Time, disposed.Token);
            status = await ImportsClient.GetImportAsync(new GetImportRequest { ImportId = status.ImportId }, cancellationToken: disposed.Token);
            StateHasChanged();
        }
    }

    private async Task LoadPreviewAsync()
    {
        try
        {
            preview = await ImportsClient.PreviewImportAsync(new PreviewImportRequest { ImportId = status!.ImportId, PreviewLimit = 100, OnlyErrors = onlyErrors },
                cancellationToken: disposed.Token);
            status = preview.Import;
            Step = ImportStep.Preview;
        }
        catch (RpcException exception) when (exception.StatusCode != StatusCode.Cancelled)
        {
            problem = GatewayProblem.From(exception);
        }
    }

    private async Task OnlyErrorsChangedAsync(ChangeEventArgs change)
    {
        onlyErrors = change.Value is true;
        await LoadPreviewAsync();
    }

    private async Task CommitAsync()
    {
        problem = null;
        try
        {
            var committed = await ImportsClient.CommitImportAsync(new CommitImportRequest
            {
                ImportId = status!.ImportId, CommitToken = commitToken ?? "", IdempotencyKey = idempotencyKey.Trim(),
            }, cancellationToken: disposed.Token);
            status = committed.Import;
            Step = ImportStep.Committing;
            StateHasChanged();
            await WaitWhileAsync("COMMITTING");
            Step = ImportStep.Report;
        }
        catch (RpcException exception) when (exception.StatusCode != StatusCode.Cancelled)
        {
            problem = GatewayProblem.From(exception);
        }
    }

    private void StartOver()
    {
        Step = ImportStep.Upload;
        status = null;
        preview = null;
        commitToken = null;
        problem = null;
        idempotencyKey = "";
        onlyErrors = false;
    }

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }
}
