using System.Net;
using System.Net.Sockets;

namespace SplitCcp.Core;

/// <summary>
/// The connections of an HTTP client that may reach only some addresses, whatever a host name resolves to: the name is
/// resolved once, its addresses screened, and one of those allowed connected to, so a name cannot resolve to an allowed
/// address for the check and to another for the connection. The published-site fetcher and the webhooks connect so.
/// </summary>
internal static class ScreenedConnection
{
    /// <param name="allowed">Whether an address of the host may be connected to.</param>
    /// <param name="refused">The exception for a host none of whose addresses may be: its name and its first address.</param>
    public static async ValueTask<Stream> ConnectAsync(
        SocketsHttpConnectionContext context, Func<IPAddress, bool> allowed, Func<string, IPAddress?, Exception> refused, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var usable = addresses.Where(allowed).ToArray();
        if (usable.Length == 0)
        {
            throw refused(host, addresses.FirstOrDefault());
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(usable, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
