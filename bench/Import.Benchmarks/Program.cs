extern alias AppHostProject;

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Import.Benchmarks;
using HrmsAttendance.Load.Benchmarks;
using HrmsAttendance.Tokens;
using Npgsql;
using NpgsqlTypes;
using DevelopmentTokens = AppHostProject::HrmsAttendance.AppHost.Extensions.DevelopmentTokens;

// The import (issue 13 item 8): the real AppHost topology booted as bench/Load.Benchmarks does, --persons persons
// registered through identity-mapping, then one file of persons × --days days × IN+OUT (2,500 × 20 × 2 = 100,000 rows by
// default, sorted by employee and date as an export is) taken through the gateway's JSON routes: prepare (upload) → PARSED (background
// parse and validation) → commit → COMMITTED (every row through the ledger's batch door, with the daily results), each
// phase timed; punch-ledger's working set sampled every 100 ms throughout. In the same run, the baseline: the same rows
// by binary COPY into an unindexed table of the same Postgres, and the same punches (another tenant's persons) straight
// into the batch door, one client with the outbox relay publishing beside it (an import's commit now runs in parts and
// holds the relay back, so it can beat this baseline: compare the door and the commit with the relay's drain added).
// Goal: ≤ 5 s from upload to committed; < 300 MB.
// With --file dingtalk-xlsx (issue 16) the same punches go up as DingTalk's export workbook instead: its 原始记录 sheet
// (title rows, 15 columns, minutes only, persons by UserId through their DingTalk links) among the workbook's other sheets.
// With --repeat N the measured import is done N times, each into a tenant of its own (its persons registered, the file's
// user ids its own), on a quiet machine after the relay has published the one before: N totals from one boot, and their
// median. The ledger holds each earlier import's punches by then, so a later import meets bigger indexes.
// Usage: dotnet run -c Release --project bench/Import.Benchmarks [-- --persons 2500 --days 20 --file csv|dingtalk-xlsx --poll-ms 100 --repeat 1] [--parse-only]
var persons = 2500;
var days = 20;
var fileKind = "csv";
// How often the status is polled through the gateway. Every poll is a traced request through the gateway and
// punch-ledger; at 25 ms (40 a second, as until 2026-12-05) they cost the gateway and the dashboard CPU the import
// needed. A phase's end is seen up to one interval late.
var pollMs = 100;
var repeats = 1;
var parseOnly = false; // --parse-only: no door baseline, no commit, no COPY (to measure the parse alone, quickly)
if (args.Contains("--parse-only")) { parseOnly = true; args = [.. args.Where(a => a != "--parse-only")]; }
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--persons": persons = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--days": days = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--poll-ms": pollMs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--repeat" when int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n >= 1: repeats = n; break;
        case "--file" when args[i + 1] is "csv" or "dingtalk-xlsx": fileKind = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}; takes --persons N --days N --file csv|dingtalk-xlsx --poll-ms N --repeat N (N >= 1)"); return 2;
    }
}
var rows = persons * days * 2;
Console.WriteLine($"import benchmark: {persons} persons × {days} days × IN+OUT = {rows:N0} rows, as {fileKind}; status polled every {pollMs} ms");
Console.WriteLine($"{Environment.ProcessorCount} cores; load average at start: {ProcFs.LoadAverage()}");

var boot = Stopwatch.StartNew();
if (await Topology.BootAsync("hrms-import-bench-") is not { } booted) return 1;
await using var _ = booted; // stops the topology and deletes its data directory at exit
var (app, dataDirectory) = booted;
Console.WriteLine($"topology healthy in {boot.Elapsed.TotalSeconds:F1} s");

var tenant = Guid.NewGuid();
var issuer = new AccessTokenIssuer(DevelopmentTokens.DevelopmentSettings(dataDirectory));
var token = issuer.Issue(new AccessTokenClaims(tenant, "import-bench", [AccessRoles.TenantAdmin]), TimeSpan.FromHours(2));
var runId = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.NextInt64()))[..8].ToLowerInvariant();

var registering = Stopwatch.StartNew();
// The door baseline's tenant gets persons of its own (the same count), so both runs record new events only.
var doorTenant = Guid.NewGuid();
LoadPersons doorPersons;
// The warm-up import's tenant (below): a few persons of its own.
const int WarmUpPersons = 50, WarmUpDays = 10, WarmUpUploads = 4;
// "Quiet": the machine's CPUs (all of them, all processes) less than this share busy over a second.
const double QuietMachineBusyShare = 0.25;
var warmUpTenant = Guid.NewGuid();
var warmUpToken = issuer.Issue(new AccessTokenClaims(warmUpTenant, "import-bench", [AccessRoles.TenantAdmin]), TimeSpan.FromHours(2));
LoadPersons warmUpPersons;
// An importing tenant's persons, registered through identity-mapping (employee numbers L<run>-<i>) and, for the
// workbook, linked to their DingTalk user ids.
async Task<LoadPersons> RegisterImportPersonsAsync(IdentityMappingClient identity, string bearer, int count, string run)
{
    var registered = await LoadPersons.RegisterAsync(identity, new Metadata { { "authorization", "Bearer " + bearer } }, count, run);
    if (fileKind == "dingtalk-xlsx")
        await DingTalkExportBench.LinkAsync(identity, new Metadata { { "authorization", "Bearer " + bearer } }, registered, run);
    return registered;
}
using (var identityChannel = GrpcChannel.ForAddress(app.GetEndpoint("identity-mapping", "grpc")))
{
    var identity = new IdentityMappingClient(identityChannel);
    await RegisterImportPersonsAsync(identity, token, persons, runId);
    warmUpPersons = await RegisterImportPersonsAsync(identity, warmUpToken, WarmUpPersons, runId + "w");
    var doorToken = issuer.Issue(new AccessTokenClaims(doorTenant, "import-bench", [AccessRoles.TenantAdmin]), TimeSpan.FromHours(2));
    doorPersons = await LoadPersons.RegisterAsync(identity, new Metadata { { "authorization", "Bearer " + doorToken } }, persons, runId + "d");
}
Console.WriteLine($"2 × {persons} persons registered{(fileKind == "csv" ? "" : ", the import's linked to DingTalk user ids,")} in {registering.Elapsed.TotalSeconds:F1} s");

// The file: employee numbers as LoadPersons registered them (L<run>-<i>), local Asia/Shanghai times.
var file = BenchFile.Csv(persons, days, runId);
var firstDay = BenchFile.FirstDay;
var bytes = fileKind == "csv" ? Encoding.UTF8.GetBytes(file) : DingTalkExportBench.Workbook(file, runId);
Console.WriteLine($"file: {bytes.Length / 1024.0 / 1024.0:F1} MiB");

// The door baseline, same run: the same punches (persons × days × IN+OUT, in file order) straight into the kernel's batch
// door through Npgsql as punch-ledger's login, 1,000 per call, one client, on the other tenant, with the outbox relay and
// the bus doing their part as they do for the import. Then the relay's backlog is drained before the import starts.
var ledgerLogin = app.ResourceNotifications.TryGetCurrentState("punch-ledger", out var ledgerState)
    && ledgerState.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ConnectionStrings__attendance") is { Value: { Length: > 0 } ledgerValue }
        ? ledgerValue : throw new InvalidOperationException("punch-ledger has no ConnectionStrings__attendance");
await using var ledgerDb = NpgsqlDataSource.Create(ledgerLogin);
// The bus's share of a run: how long until the outbox relay has published everything the door wrote (PunchRecorded,
// DailyResultChanged), measured the same way after the door baseline and after the import's commit.
async Task<TimeSpan> DrainRelayAsync()
{
    var draining = Stopwatch.StartNew();
    await using var connection = await ledgerDb.OpenConnectionAsync();
    while (true)
    {
        await using var backlog = new NpgsqlCommand("SELECT unpublished FROM staffing.outbox_backlog()", connection);
        if ((long)(await backlog.ExecuteScalarAsync())! == 0) return draining.Elapsed;
        await Task.Delay(200);
    }
}
TimeSpan doorTime = TimeSpan.Zero, doorDrain = TimeSpan.Zero;
if (!parseOnly)
{
    var doorRows = new List<(Guid Person, DateTime At, string Type)>(rows);
    var doorRandom = new Random(8);
    for (var p = 0; p < persons; p++)
        for (var d = 0; d < days; d++)
        {
            var local = firstDay.AddDays(d).ToDateTime(TimeOnly.MinValue);
            doorRows.Add((Guid.Parse(doorPersons.Person(p)), local.AddHours(8).AddMinutes(50 + doorRandom.Next(10)).AddSeconds(doorRandom.Next(60)).AddHours(-8), "IN"));
            doorRows.Add((Guid.Parse(doorPersons.Person(p)), local.AddHours(18).AddMinutes(doorRandom.Next(30)).AddSeconds(doorRandom.Next(60)).AddHours(-8), "OUT"));
        }
    await using var connection = await ledgerDb.OpenConnectionAsync();
    var doorClock = Stopwatch.StartNew();
    for (var start = 0; start < doorRows.Count; start += 1000)
    {
        var chunk = doorRows.Skip(start).Take(1000).ToList();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand($"SELECT set_config('app.current_tenant', '{doorTenant}', true)", connection, tx))
            await set.ExecuteNonQueryAsync();
        await using var door = new NpgsqlCommand("""
            SELECT count(*) FILTER (WHERE outcome = 'ACCEPTED') FROM staffing.submit_time_punch_events(
              $1, $2, $3, $4, array_fill('IMPORT'::text, ARRAY[$6]), array_fill(NULL::text, ARRAY[$6]), $5,
              array_fill('{}'::jsonb, ARRAY[$6]), 'import-bench')
            """, connection, tx);
        door.Parameters.Add(new NpgsqlParameter { Value = doorTenant });
        door.Parameters.Add(new NpgsqlParameter { Value = chunk.Select(r => r.Person).ToArray() });
        door.Parameters.Add(new NpgsqlParameter { Value = chunk.Select(r => DateTime.SpecifyKind(r.At, DateTimeKind.Utc)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        door.Parameters.Add(new NpgsqlParameter { Value = chunk.Select(r => r.Type).ToArray() });
        door.Parameters.Add(new NpgsqlParameter { Value = chunk.Select((_, i) => $"door-bench:{runId}:{start + i}").ToArray() });
        door.Parameters.Add(new NpgsqlParameter { Value = chunk.Count });
        var accepted = (long)(await door.ExecuteScalarAsync())!;
        if (accepted != chunk.Count) throw new InvalidOperationException($"the door accepted {accepted} of {chunk.Count}");
        await tx.CommitAsync();
    }
    doorTime = doorClock.Elapsed;
    Console.WriteLine($"door baseline: {rows:N0} punches in {doorTime.TotalSeconds:F2} s; waiting for the relay to drain its backlog");
    doorDrain = await DrainRelayAsync();
    Console.WriteLine($"relay drained {doorDrain.TotalSeconds:F1} s after the door baseline");
}

// punch-ledger's process, for its working set.
var ledgerPid = Topology.ServiceProcessId(app, "punch-ledger", "PunchLedger");
long peakWorkingSet = ProcFs.MemoryAndThreads(ledgerPid).WorkingSetBytes, startWorkingSet = peakWorkingSet;
using var sampling = new CancellationTokenSource();
var sampler = Task.Run(async () =>
{
    while (!sampling.IsCancellationRequested)
    {
        peakWorkingSet = Math.Max(peakWorkingSet, ProcFs.MemoryAndThreads(ledgerPid).WorkingSetBytes);
        try { await Task.Delay(100, sampling.Token); } catch (OperationCanceledException) { }
    }
});

using var http = new HttpClient { BaseAddress = app.GetEndpoint("gateway", "http"), Timeout = TimeSpan.FromMinutes(5) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
async Task<JsonElement> Json(HttpResponseMessage response)
{
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode}: {text}");
    return JsonDocument.Parse(text).RootElement.Clone();
}
// The steps_ms of this import's audit entry for an action (PARSED, COMMITTED).
async Task<JsonElement> AuditStepsAsync(string importId, string action) =>
    (await Json(await http.GetAsync("/api/imports/audit"))).GetProperty("entries").EnumerateArray()
        .First(e => e.GetProperty("import_id").GetString() == importId && e.GetProperty("action").GetString() == action)
        .GetProperty("details").GetProperty("steps_ms");

var statusPolls = 0;
async Task<(JsonElement Status, TimeSpan At)> WaitWhile(string importId, string status, Stopwatch clock)
{
    while (true)
    {
        statusPolls++;
        var current = await Json(await http.GetAsync($"/api/imports/status?import_id={importId}"));
        if (current.GetProperty("status").GetString() != status) return (current, clock.Elapsed);
        await Task.Delay(pollMs);
    }
}

// CPU seconds of each part of the topology over the commit (utime + stime of each process tree, from /proc).
var cpuParts = new[] { "punch-ledger", "daily-results", "gateway", "identity-mapping", "postgres", "messaging" };
double CpuSeconds(string resource)
{
    if (!app.ResourceNotifications.TryGetCurrentState(resource, out var state)
        || state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is not { } value) return double.NaN;
    long ticks = 0;
    foreach (var pid in ProcFs.SelfAndDescendants(Convert.ToInt32(value, CultureInfo.InvariantCulture)))
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException) { } // the process ended meanwhile
    }
    return ticks / 100.0; // USER_HZ
}

// The CPU seconds of each part and of the whole machine, now; and what each used since such a snapshot, as text.
(Dictionary<string, double> Parts, (double Busy, double Total) Machine) CpuSnapshot() =>
    (cpuParts.ToDictionary(part => part, CpuSeconds), MachineCpuSeconds());
(string Parts, string Machine) CpuSince((Dictionary<string, double> Parts, (double Busy, double Total) Machine) before)
{
    var parts = string.Join(", ", cpuParts.Select(part => $"{part} {CpuSeconds(part) - before.Parts[part]:F1}"));
    var machine = MachineCpuSeconds();
    return (parts, $"the whole machine {machine.Busy - before.Machine.Busy:F1} busy of {machine.Total - before.Machine.Total:F1}");
}

// Waits until the whole machine was less than QuietMachineBusyShare busy over one second; the seconds waited, or null
// when it was not quiet within the limit.
static async Task<double?> WaitForQuietMachineAsync(TimeSpan limit)
{
    var waited = Stopwatch.StartNew();
    while (waited.Elapsed < limit)
    {
        var before = MachineCpuSeconds();
        await Task.Delay(1000);
        var after = MachineCpuSeconds();
        if (after.Busy - before.Busy < QuietMachineBusyShare * (after.Total - before.Total)) return waited.Elapsed.TotalSeconds;
    }
    return null;
}

// The whole machine's CPU seconds, busy and in all (/proc/stat's first line: idle and iowait are not busy).
static (double Busy, double Total) MachineCpuSeconds()
{
    var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
        .Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
    var all = fields.Sum();
    return ((all - fields[3] - fields[4]) / 100.0, all / 100.0);
}

// A warm-up first, through the same routes, on a tenant of its own: the whole file uploaded and parsed (its persons are
// not that tenant's, so every row is invalid and it is not committed), then a small import of the same kind committed.
// The services' hot paths are then compiled and tiered up as in a system that has been running: without it, .NET's
// tiered compilation re-jitted the gateway's body forwarding and the services' import code during the measured import
// (up to ~2.8 CPU seconds of the gateway's, one of this machine's two cores for seconds), and the first import after
// start-up took 3–4 s longer (bench/Import.Benchmarks/README.md, 2026-12-05 (later)).
if (!parseOnly)
{
    using var warmUpHttp = new HttpClient { BaseAddress = app.GetEndpoint("gateway", "http"), Timeout = TimeSpan.FromMinutes(5) };
    warmUpHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", warmUpToken);
    var warmingUp = Stopwatch.StartNew();
    async Task<JsonElement> WarmUpPrepareAsync(byte[] content) =>
        await Json(await warmUpHttp.PostAsync(fileKind == "csv" ? "/api/imports/prepare?format=csv&file_name=warm-up.csv"
            : "/api/imports/prepare?format=dingtalk&file_name=warm-up.xlsx", new ByteArrayContent(content)));
    async Task<string> WarmUpWhile(string importId, string status)
    {
        while (true)
        {
            var current = (await Json(await warmUpHttp.GetAsync($"/api/imports/status?import_id={importId}"))).GetProperty("status").GetString()!;
            if (current != status) return current;
            await Task.Delay(pollMs);
        }
    }
    for (var upload = 0; upload < WarmUpUploads; upload++)
    {
        var whole = await WarmUpPrepareAsync(bytes);
        if (await WarmUpWhile(whole.GetProperty("import_id").GetString()!, "PARSING") != "PARSED")
            throw new InvalidOperationException("the warm-up upload did not parse");
    }
    var warmUpFile = BenchFile.Csv(WarmUpPersons, WarmUpDays, runId + "w");
    var small = await WarmUpPrepareAsync(fileKind == "csv" ? Encoding.UTF8.GetBytes(warmUpFile) : DingTalkExportBench.Workbook(warmUpFile, runId + "w"));
    var smallId = small.GetProperty("import_id").GetString()!;
    if (await WarmUpWhile(smallId, "PARSING") != "PARSED") throw new InvalidOperationException("the warm-up import did not parse");
    await Json(await warmUpHttp.PostAsync($"/api/imports/commit?import_id={smallId}", new StringContent(
        JsonSerializer.Serialize(new { commitToken = small.GetProperty("commit_token").GetString() }), Encoding.UTF8, "application/json")));
    if (await WarmUpWhile(smallId, "COMMITTING") != "COMMITTED") throw new InvalidOperationException("the warm-up import did not commit");
    await DrainRelayAsync();
    // Once more after a quiet second. .NET promotes a method to optimized code only after it was called 30 times with no
    // new method compiled for 100 ms before (tiered compilation's call-counting delay); through the busy rounds above that
    // moment seldom came, and the measured upload then paid for it: the gateway's ".NET Tiered Compilation" thread at
    // 0.3-0.6 of a core through the measured parse, ~250 methods compiled (DOTNET_JitStdOutFile), 2026-12-06 (stop 33).
    await WaitForQuietMachineAsync(TimeSpan.FromSeconds(60));
    var again = await WarmUpPrepareAsync(bytes);
    if (await WarmUpWhile(again.GetProperty("import_id").GetString()!, "PARSING") != "PARSED")
        throw new InvalidOperationException("the warm-up upload did not parse");
    Console.WriteLine($"warm-up: the file uploaded and parsed {WarmUpUploads}+1× as another tenant's, {WarmUpPersons * WarmUpDays * 2:N0} rows imported; "
        + $"{warmingUp.Elapsed.TotalSeconds:F1} s with the relay's drain");
}

// The measured import starts on a quiet machine: the warm-up's telemetry (its relay's messages, each with its spans) is
// still being taken in by the Aspire dashboard for seconds after the relay has drained (0.5-0.7 of a core, measured
// with a per-process sampler, 2026-12-05 (evening)), and would otherwise compete with the parse.
var settling = Stopwatch.StartNew();
var quietSeconds = await WaitForQuietMachineAsync(TimeSpan.FromSeconds(60));
Console.WriteLine(quietSeconds is { } quiet
    ? $"machine quiet (under {QuietMachineBusyShare:P0} busy for a second) after {quiet:F1} s"
    : $"machine still busy after {settling.Elapsed.TotalSeconds:F0} s; measuring anyway");

var measured = await MeasureImportAsync(bytes, runId, commit: !parseOnly);
var (importId, uploaded, parsedAt) = (measured.ImportId, measured.Uploaded, measured.ParsedAt);
if (fileKind != "csv") Console.WriteLine($"detected: {measured.Parsed.GetProperty("detected")}");
var cpuThroughParseLine = $"  CPU seconds through upload + parse: {measured.CpuThroughParse.Parts}; {measured.CpuThroughParse.Machine}";
if (parseOnly)
{
    await sampling.CancelAsync();
    await sampler;
    Console.WriteLine();
    Console.WriteLine($"through the gateway, {rows:N0} rows ({ProcFs.LoadAverage()} load at the end):");
    Console.WriteLine($"  upload (prepare answered)        {uploaded.TotalSeconds,7:F2} s");
    Console.WriteLine($"  parse + validate (PARSED)        {(parsedAt - uploaded).TotalSeconds,7:F2} s");
    Console.WriteLine(cpuThroughParseLine);
    Console.WriteLine($"  punch-ledger working set: {startWorkingSet / 1048576.0:F0} MiB at the start, peak {measured.PeakThroughParse / 1048576.0:F0} MiB through upload + parse");
    Console.WriteLine($"  parse steps (ms): {await AuditStepsAsync(importId, "PARSED")}");
    return 0;
}
var (commitStarted, committedAt, cpuDuringCommit) = (measured.CommitStarted, measured.CommittedAt, measured.CpuDuringCommit!.Value);
// The bus's share, like for like with the door baseline: how long after COMMITTED the relay is still publishing.
var commitDrain = await DrainRelayAsync();
await sampling.CancelAsync();
await sampler;
Console.WriteLine($"daily results written: {await DailyResultsCheckedAsync(tenant):N0}");

// The baseline, same run, same server: the same rows by binary COPY into an unindexed table, as the schema owner.
var ownerLogin = app.ResourceNotifications.TryGetCurrentState("migrations", out var migrationsState)
    && migrationsState.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ConnectionStrings__attendance-owner") is { Value: { Length: > 0 } ownerValue }
        ? ownerValue : throw new InvalidOperationException("migrations has no ConnectionStrings__attendance-owner");
TimeSpan copyTime;
await using (var owner = NpgsqlDataSource.Create(ownerLogin))
await using (var connection = await owner.OpenConnectionAsync())
{
    await using (var create = new NpgsqlCommand("""
        CREATE SCHEMA IF NOT EXISTS bench;
        CREATE TABLE IF NOT EXISTS bench.import_baseline (tenant_id uuid, employee_number text, punch_time timestamptz, punch_type text, request_id text);
        """, connection))
        await create.ExecuteNonQueryAsync();
    var lines = file.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToList();
    var copyClock = Stopwatch.StartNew();
    await using (var copy = await connection.BeginBinaryImportAsync("COPY bench.import_baseline FROM STDIN (FORMAT BINARY)"))
    {
        var line = 1;
        foreach (var fields in lines)
        {
            await copy.StartRowAsync();
            await copy.WriteAsync(tenant, NpgsqlDbType.Uuid);
            await copy.WriteAsync(fields[0], NpgsqlDbType.Text);
            await copy.WriteAsync(DateTime.SpecifyKind(DateTime.ParseExact(fields[1], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture).AddHours(-8), DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
            await copy.WriteAsync(fields[2], NpgsqlDbType.Text);
            await copy.WriteAsync($"import:{importId}:{++line}", NpgsqlDbType.Text);
        }
        await copy.CompleteAsync();
    }
    copyTime = copyClock.Elapsed;
}

Console.WriteLine();
Console.WriteLine($"through the gateway, {rows:N0} rows ({ProcFs.LoadAverage()} load at the end):");
Console.WriteLine($"  upload (prepare answered)        {uploaded.TotalSeconds,7:F2} s");
Console.WriteLine($"  parse + validate (PARSED)        {(parsedAt - uploaded).TotalSeconds,7:F2} s");
Console.WriteLine($"  commit request                   {(commitStarted - parsedAt).TotalSeconds,7:F2} s");
Console.WriteLine($"  commit through the batch door    {(committedAt - commitStarted).TotalSeconds,7:F2} s  ({rows / (committedAt - commitStarted).TotalSeconds:N0} punches/s)");
Console.WriteLine($"  total, upload to COMMITTED       {committedAt.TotalSeconds,7:F2} s  (goal <= 5 s)");
Console.WriteLine($"  baseline: COPY of the same rows  {copyTime.TotalSeconds,7:F2} s  (total / COPY = {committedAt / copyTime:F1}x)");
Console.WriteLine($"  door baseline: the same punches straight into the batch door, 1,000 per call, one client, the relay beside it  {doorTime.TotalSeconds,7:F2} s  " +
    $"(commit / door = {(committedAt - commitStarted) / doorTime:F2}x; COPY + door = {(copyTime + doorTime).TotalSeconds:F2} s)");
Console.WriteLine($"  with the relay's drain after each: commit {(committedAt - commitStarted).TotalSeconds:F2} + {commitDrain.TotalSeconds:F2} s, " +
    $"door {doorTime.TotalSeconds:F2} + {doorDrain.TotalSeconds:F2} s (ratio {((committedAt - commitStarted) + commitDrain) / (doorTime + doorDrain):F2}x)");
Console.WriteLine(cpuThroughParseLine);
Console.WriteLine($"  CPU seconds during the commit: {cpuDuringCommit.Parts} (status polls meanwhile: {measured.PollsDuringCommit}); "
    + cpuDuringCommit.Machine);
Console.WriteLine($"  punch-ledger working set: {startWorkingSet / 1048576.0:F0} MiB at the start, peak {measured.PeakThroughParse / 1048576.0:F0} MiB through upload + parse, peak {peakWorkingSet / 1048576.0:F0} MiB overall (limit 300 MB)");
// punch-ledger's own account of the parse and of the commit (per step, as the worker waited for it, and the chunk
// statements' own time in Postgres): milliseconds per step, in the PARSED and COMMITTED audit entries.
Console.WriteLine($"  parse steps (ms): {await AuditStepsAsync(importId, "PARSED")}");
Console.WriteLine($"  commit steps (ms): {await AuditStepsAsync(importId, "COMMITTED")}");
if (repeats == 1) return 0;

// --repeat: the same import again, each time into a new tenant of its own persons, after the relay has published the
// import before it and the machine is quiet.
var totals = new List<double> { committedAt.TotalSeconds };
Console.WriteLine();
Console.WriteLine($"repeats (the ledger grows by {rows:N0} punches each):");
for (var repeat = 2; repeat <= repeats; repeat++)
{
    var repeatTenant = Guid.NewGuid();
    var repeatRun = $"{runId}r{repeat}";
    var repeatToken = issuer.Issue(new AccessTokenClaims(repeatTenant, "import-bench", [AccessRoles.TenantAdmin]), TimeSpan.FromHours(2));
    using (var identityChannel = GrpcChannel.ForAddress(app.GetEndpoint("identity-mapping", "grpc")))
        await RegisterImportPersonsAsync(new IdentityMappingClient(identityChannel), repeatToken, persons, repeatRun);
    var repeatFile = BenchFile.Csv(persons, days, repeatRun);
    var repeatBytes = fileKind == "csv" ? Encoding.UTF8.GetBytes(repeatFile) : DingTalkExportBench.Workbook(repeatFile, repeatRun);
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", repeatToken);
    var waitedForQuiet = await WaitForQuietMachineAsync(TimeSpan.FromSeconds(60));
    var again = await MeasureImportAsync(repeatBytes, repeatRun, commit: true);
    await DrainRelayAsync();
    await DailyResultsCheckedAsync(repeatTenant);
    totals.Add(again.CommittedAt.TotalSeconds);
    Console.WriteLine($"  {repeat}: total {again.CommittedAt.TotalSeconds:F2} s = upload {again.Uploaded.TotalSeconds:F2} + parse "
        + $"{(again.ParsedAt - again.Uploaded).TotalSeconds:F2} + commit request {(again.CommitStarted - again.ParsedAt).TotalSeconds:F2} + commit "
        + $"{(again.CommittedAt - again.CommitStarted).TotalSeconds:F2}; CPU seconds during the commit: {again.CpuDuringCommit!.Value.Parts}; {again.CpuDuringCommit!.Value.Machine}"
        + (waitedForQuiet is null ? " (the machine was not quiet before it)" : ""));
}
var sorted = totals.Order().ToList();
var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
Console.WriteLine($"totals, upload to COMMITTED: {string.Join(", ", totals.Select(t => t.ToString("F2", CultureInfo.InvariantCulture)))} s; "
    + $"median {median:F2} s over {totals.Count} (goal <= 5 s)");
return 0;

// One measured import of a file on http's tenant, from its upload: PARSED (every row valid), then, with commit,
// COMMITTED (every row accepted); the CPU seconds of each part through upload and parse and over the commit.
async Task<MeasuredImport> MeasureImportAsync(byte[] content, string idempotencyKey, bool commit)
{
    var beforeUpload = CpuSnapshot();
    var clock = Stopwatch.StartNew();
    var prepared = await Json(await http.PostAsync(fileKind == "csv" ? "/api/imports/prepare?format=csv&file_name=bench.csv"
        : "/api/imports/prepare?format=dingtalk&file_name=bench.xlsx", new ByteArrayContent(content)));
    var uploadedAt = clock.Elapsed;
    var id = prepared.GetProperty("import_id").GetString()!;
    var (parsedStatus, parsedAfter) = await WaitWhile(id, "PARSING", clock);
    if (parsedStatus.GetProperty("status").GetString() != "PARSED" || parsedStatus.GetProperty("rows").GetProperty("valid").GetInt32() != rows)
        throw new InvalidOperationException($"parse ended as {parsedStatus}");
    var peak = peakWorkingSet;
    var throughParse = CpuSince(beforeUpload);
    if (!commit) return new MeasuredImport(id, uploadedAt, parsedAfter, parsedStatus, throughParse, peak);
    var body = new StringContent(JsonSerializer.Serialize(new { commitToken = prepared.GetProperty("commit_token").GetString(), idempotencyKey }),
        Encoding.UTF8, "application/json");
    var beforeCommit = CpuSnapshot();
    await Json(await http.PostAsync($"/api/imports/commit?import_id={id}", body));
    var commitRequested = clock.Elapsed;
    var pollsBefore = statusPolls;
    var (committedStatus, committedAfter) = await WaitWhile(id, "COMMITTING", clock);
    var duringCommit = CpuSince(beforeCommit);
    if (committedStatus.GetProperty("commit").GetProperty("accepted").GetInt32() != rows)
        throw new InvalidOperationException($"commit ended as {committedStatus}");
    return new MeasuredImport(id, uploadedAt, parsedAfter, parsedStatus, throughParse, peak)
    {
        CommitStarted = commitRequested,
        CommittedAt = committedAfter,
        CpuDuringCommit = duringCommit,
        PollsDuringCommit = statusPolls - pollsBefore,
    };
}

// The daily results of an import's tenant: one per person and day, and the day before the first.
async Task<long> DailyResultsCheckedAsync(Guid importTenant)
{
    await using var connection = await ledgerDb.OpenConnectionAsync();
    await using var tx = await connection.BeginTransactionAsync();
    await using var set = new NpgsqlCommand($"SELECT set_config('app.current_tenant', '{importTenant}', true)", connection, tx);
    await set.ExecuteNonQueryAsync();
    await using var count = new NpgsqlCommand("SELECT count(*) FROM staffing.daily_attendance_results", connection, tx);
    var results = (long)(await count.ExecuteScalarAsync())!;
    if (results != persons * (days + 1L)) throw new InvalidOperationException($"{results} daily results, expected {persons * (days + 1L)}");
    return results;
}

/// <summary>One measured import: its phases' ends from the upload's start, and the CPU each part used.</summary>
internal sealed record MeasuredImport(string ImportId, TimeSpan Uploaded, TimeSpan ParsedAt, JsonElement Parsed,
    (string Parts, string Machine) CpuThroughParse, long PeakThroughParse)
{
    public TimeSpan CommitStarted { get; init; }
    public TimeSpan CommittedAt { get; init; }
    public (string Parts, string Machine)? CpuDuringCommit { get; init; }
    public int PollsDuringCommit { get; init; }
}
