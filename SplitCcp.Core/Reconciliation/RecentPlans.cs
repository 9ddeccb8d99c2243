namespace SplitCcp.Core.Reconciliation;

/// <summary>
/// The last few plans shown for each tenant, by fingerprint, kept in memory: when an apply is refused because the plan
/// changed, they say how the plan its caller confirmed differs from the plan now. A plan made by another portal process,
/// or long ago, is not here; the refusal then gives the plan now without the comparison.
/// </summary>
/// <remarks>
/// Few however many tenants the portal plans: the latest <see cref="PerTenant"/> of a tenant, none older than
/// <see cref="MaxAge"/>, at most <see cref="MaxPlans"/> in all, the oldest let go first. Kept for ever, one portal that had
/// planned 10,000 tenants held hundreds of megabytes of plans no one would confirm again.
/// </remarks>
public sealed class RecentPlans(TimeProvider time)
{
    /// <summary>How many different plans are kept per tenant, the latest ones.</summary>
    public const int PerTenant = 8;

    /// <summary>How many plans are kept in all.</summary>
    public const int MaxPlans = 1_000;

    /// <summary>How long a plan is kept after it was last shown: a confirmation older than this compares with nothing.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, List<Kept>> _byTenant = [];

    /// <summary>Every kept plan, the one remembered longest ago first.</summary>
    private readonly LinkedList<Kept> _oldestFirst = new();

    /// <summary>How many plans are kept now.</summary>
    internal int Count
    {
        get
        {
            lock (_lock)
            {
                LetGoExpired(time.GetUtcNow());
                return _oldestFirst.Count;
            }
        }
    }

    public void Remember(Plan plan)
    {
        var fingerprint = plan.Fingerprint;
        var now = time.GetUtcNow();
        lock (_lock)
        {
            // The same plan again, or the tenant's oldest when it has its fill, makes room (which may drop its empty list).
            if (_byTenant.TryGetValue(plan.TenantId, out var kept)
                && (kept.Find(k => k.Fingerprint == fingerprint) ?? (kept.Count >= PerTenant ? kept[0] : null)) is { } replaced)
            {
                LetGo(replaced);
            }

            var entry = new Kept(plan, fingerprint, now);
            entry.Node = _oldestFirst.AddLast(entry);
            if (!_byTenant.TryGetValue(plan.TenantId, out kept))
            {
                _byTenant[plan.TenantId] = kept = [];
            }

            kept.Add(entry);
            while (_oldestFirst.Count > MaxPlans)
            {
                LetGo(_oldestFirst.First!.Value);
            }

            LetGoExpired(now);
        }
    }

    public Plan? Find(Guid tenantId, string fingerprint)
    {
        lock (_lock)
        {
            LetGoExpired(time.GetUtcNow());
            return _byTenant.TryGetValue(tenantId, out var kept)
                ? kept.FindLast(k => string.Equals(k.Fingerprint, fingerprint, StringComparison.OrdinalIgnoreCase))?.Plan
                : null;
        }
    }

    private void LetGoExpired(DateTimeOffset now)
    {
        while (_oldestFirst.First is { } oldest && now - oldest.Value.At > MaxAge)
        {
            LetGo(oldest.Value);
        }
    }

    private void LetGo(Kept entry)
    {
        _oldestFirst.Remove(entry.Node!);
        var kept = _byTenant[entry.Plan.TenantId];
        kept.Remove(entry);
        if (kept.Count == 0)
        {
            _byTenant.Remove(entry.Plan.TenantId);
        }
    }

    /// <summary>A kept plan; compared by reference, as each is kept once.</summary>
    private sealed class Kept(Plan plan, string fingerprint, DateTimeOffset at)
    {
        public Plan Plan { get; } = plan;

        public string Fingerprint { get; } = fingerprint;

        public DateTimeOffset At { get; } = at;

        public LinkedListNode<Kept>? Node { get; set; }
    }
}
