using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Benchmark;

/// <summary>
/// Makes N Sandbox tenants that a drift pass finds in sync, through the portal's own services, as an operator would with
/// the demo: create the tenant with the demo's setup, apply, capture the image in the builder, apply again. Timed apart
/// from the measured passes, with progress on the console.
/// </summary>
internal sealed class BenchmarkSetup(IServiceProvider services, ClaimsPrincipal user, int count, Func<string, Task> line)
{
    /// <summary>Creations and apply requests at once: each is a few database writes, so more only queue on SQLite's lock.</summary>
    private const int Writers = 8;

    private static readonly TimeSpan s_progressEvery = TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var faults = services.GetRequiredService<SandboxFaults>();
        var (attempts, throttles, rateLimited) = (faults.Attempts, faults.Throttles, faults.RateLimited);
        var ids = await PhaseAsync("create tenants with the demo's setup", progress => CreateAsync(progress, ct), ct);
        await PhaseAsync("apply", progress => ApplyAsync(ids, progress, ct), ct);
        await PhaseAsync("capture the images (the console step)", progress => CaptureImagesAsync(ids, progress, ct), ct);
        await PhaseAsync("apply again", progress => ApplyAsync(ids, progress, ct), ct);
        await line(string.Create(CultureInfo.InvariantCulture,
            $"setup: {count} tenants converged in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s with {faults.Attempts - attempts} AWS calls, {faults.Throttles - throttles} throttled ({faults.RateLimited - rateLimited} over AWS's rates)"));
    }

    private async Task<Guid[]> CreateAsync(Progress progress, CancellationToken ct)
    {
        var tenants = services.GetRequiredService<TenantService>();
        var demo = services.GetRequiredService<DemoTenants>();
        var ids = new Guid[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = Writers, CancellationToken = ct }, async (i, token) =>
        {
            var number = (i + 1).ToString("0000", CultureInfo.InvariantCulture);
            var input = new TenantInput
            {
                DisplayName = $"Benchmark tenant {number}",
                Slug = $"bench-{number}",
                Region = DemoTenants.Region,
                AccessMode = nameof(AwsAccessMode.Sandbox),
            };
            var tenant = await tenants.CreateAsync(user, input, token) is TenantSaveResult.Saved saved
                ? saved.Tenant
                : throw new InvalidOperationException($"Tenant {input.Slug} could not be created.");
            await demo.SetUpAsync(await AuthorizeAsync(tenant.Id, token), tenant, token);
            ids[i] = tenant.Id;
            progress.Add();
        });
        return ids;
    }

    private async Task<bool> ApplyAsync(Guid[] ids, Progress progress, CancellationToken ct)
    {
        var reconciliation = services.GetRequiredService<ReconciliationService>();
        var applies = new Guid[ids.Length];

        // Planning and starting each apply is most of the step's time: it is counted too, or the line would say 0 until then.
        progress.Stage("started");
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Length), new ParallelOptions { MaxDegreeOfParallelism = Writers, CancellationToken = ct }, async (i, token) =>
        {
            var plan = await reconciliation.PlanAsync(await AuthorizeAsync(ids[i], token), token) is PlanResult.Planned planned
                ? planned.Plan
                : throw new InvalidOperationException($"Tenant {ids[i]} could not be planned.");
            applies[i] = await reconciliation.StartApplyAsync(await AuthorizeAsync(ids[i], token), plan.Fingerprint, token) is ApplyStartResult.Started started
                ? started.Apply.Id
                : throw new InvalidOperationException($"The apply of tenant {ids[i]} was not started.");
            progress.Add();
        });

        progress.Stage("finished");

        var dbFactory = services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>();
        var mine = applies.ToHashSet();
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var finished = await db.Applies.AsNoTracking().Where(a => a.State == ApplyState.Succeeded || a.State == ApplyState.Failed)
                .Select(a => new { a.Id, a.TenantId, a.State, a.Error }).ToListAsync(ct);
            var done = finished.Where(a => mine.Contains(a.Id)).ToList();
            progress.Set(done.Count);
            if (done.Count == applies.Length)
            {
                var failed = done.Where(a => a.State == ApplyState.Failed).ToList();
                return failed.Count == 0 ? true : throw new InvalidOperationException(
                    $"{failed.Count} applies failed, so the tenants cannot be in sync. First: tenant {failed[0].TenantId}: {failed[0].Error}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
    }

    private async Task<bool> CaptureImagesAsync(Guid[] ids, Progress progress, CancellationToken ct)
    {
        var specs = services.GetRequiredService<TenantSpecService>();
        var console = services.GetRequiredService<SandboxConsole>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = Writers, CancellationToken = ct }, async (id, token) =>
        {
            var spec = (await specs.GetAsync(await AuthorizeAsync(id, token), token))?.Record.Spec ?? throw new InvalidOperationException($"Tenant {id} has no setup.");
            await console.CaptureImageAsync(id, spec.AppStream.ImageBuilder.Name!, spec.AppStream.ImageName!, token);
            progress.Add();
        });
        return true;
    }

    /// <summary>The tenant as the portal's access check lets the operator change it, as a request's edge would ask.</summary>
    private async Task<AuthorizedTenant> AuthorizeAsync(Guid tenantId, CancellationToken ct) =>
        (await services.GetRequiredService<ITenantAccess>().CheckAsync(user, tenantId, TenantOperation.Write, ct)).Tenant
        ?? throw new InvalidOperationException($"The benchmark's operator may not change tenant {tenantId}.");

    /// <summary>Runs one step of the setup, printing how far it got every few seconds and how long it took.</summary>
    private async Task<T> PhaseAsync<T>(string name, Func<Progress, Task<T>> run, CancellationToken ct)
    {
        var progress = new Progress();
        var started = Stopwatch.GetTimestamp();
        var cpu = Environment.CpuUsage.TotalTime;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reporter = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(s_progressEvery);
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                await line(string.Create(CultureInfo.InvariantCulture, $"  {name}: {progress.Done}/{count}{progress.What} after {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s"));
            }
        }, CancellationToken.None);
        try
        {
            var result = await run(progress);
            await line(string.Create(CultureInfo.InvariantCulture,
                $"setup: {name}: {count} tenants in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s (CPU {(Environment.CpuUsage.TotalTime - cpu).TotalSeconds:0.0} s)"));
            return result;
        }
        finally
        {
            await stop.CancelAsync();
            await reporter.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private sealed class Progress
    {
        private int _done;
        private volatile string _what = "";

        public int Done => Volatile.Read(ref _done);

        /// <summary>What <see cref="Done"/> counts when a step has stages (" started", " finished"); empty when it has one.</summary>
        public string What => _what;

        public void Add() => Interlocked.Increment(ref _done);

        public void Set(int done) => Volatile.Write(ref _done, done);

        /// <summary>Begins a stage of the step: counting from zero again, and saying what is counted.</summary>
        public void Stage(string what)
        {
            _what = $" {what}";
            Volatile.Write(ref _done, 0);
        }
    }
}
