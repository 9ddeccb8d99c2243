using System.Runtime.CompilerServices;

namespace SplitCcp.Core.Persistence;

/// <summary>
/// Reads a list that can grow long (a history, an activity log) in batches by key, newest first, each batch in a query of
/// its own: an export written out to a slow reader holds no connection in between, and rows added meanwhile are not read twice.
/// </summary>
public static class Batches
{
    /// <param name="before">Reads the next batch of at most <paramref name="size"/> rows, those with a key below the one given (all when null).</param>
    /// <param name="key">A row's key, descending through the list.</param>
    public static async IAsyncEnumerable<T> ReadAsync<T>(
        Func<long?, CancellationToken, Task<IReadOnlyList<T>>> before, Func<T, long> key, int size, [EnumeratorCancellation] CancellationToken ct = default)
    {
        long? last = null;
        while (true)
        {
            var batch = await before(last, ct);
            foreach (var row in batch)
            {
                yield return row;
            }

            if (batch.Count < size)
            {
                yield break;
            }

            last = key(batch[^1]);
        }
    }
}
