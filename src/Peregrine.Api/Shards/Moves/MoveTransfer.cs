using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;

namespace Peregrine.Api.Shards.Moves;

/// <summary>One file of a moved tree: its path under the user's app folder, its size and the SHA-256 of its bytes.</summary>
public sealed record MovedFile(string Path, long Bytes, string Sha256);

/// <summary>
/// The source's side of the calls a move makes to other shards (<see cref="MoveEndpoints"/> answers them): the files
/// go as they are on disk, still encrypted, each with its checksum, and the target verifies them before it takes them.
/// </summary>
public sealed class MoveTransfer(ShardDirectory shards, IOptions<PeregrineOptions> options) : IDisposable
{
    private readonly string _token = ShardInternalCalls.Token(options.Value);
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromMinutes(5) };

    /// <summary>Streams every file of <paramref name="appDirectory"/> into the target's staging folder (emptied first).</summary>
    public async Task<IReadOnlyList<MovedFile>> SendTreeAsync(string target, string userId, string appDirectory, CancellationToken cancellationToken)
    {
        await SendAsync(target, HttpMethod.Delete, $"moves/{userId}/staging", null, cancellationToken);
        var sent = new List<MovedFile>();
        foreach (var path in FilesToMove(appDirectory))
        {
            var relative = Path.GetRelativePath(appDirectory, path).Replace(Path.DirectorySeparatorChar, '/');
            string sha256;
            await using (var reading = File.OpenRead(path))
            {
                sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(reading, cancellationToken));
            }

            await using var body = File.OpenRead(path);
            var length = body.Length;
            await SendAsync(target, HttpMethod.Put, $"moves/{userId}/files?path={Uri.EscapeDataString(relative)}&sha256={sha256}", new StreamContent(body), cancellationToken);
            sent.Add(new MovedFile(relative, length, sha256));
        }

        return sent;
    }

    public Task CommitAsync(string target, string userId, IReadOnlyList<MovedFile> files, CancellationToken cancellationToken) =>
        SendAsync(target, HttpMethod.Post, $"moves/{userId}/commit", JsonContent.Create(files), cancellationToken);

    public Task DiscardStagingAsync(string target, string userId, CancellationToken cancellationToken) =>
        SendAsync(target, HttpMethod.Delete, $"moves/{userId}/staging", null, cancellationToken);

    /// <summary>Asks <paramref name="shard"/> to remove its copy of a user who lives elsewhere now (it checks that first).</summary>
    public Task RemoveTreeAsync(string shard, string userId, CancellationToken cancellationToken) =>
        SendAsync(shard, HttpMethod.Delete, $"users/{userId}/tree", null, cancellationToken);

    /// <summary>Tells every live shard to read the user's home again; one that cannot be told learns it from a 421.</summary>
    public async Task ForgetHomeEverywhereAsync(string userId, CancellationToken cancellationToken)
    {
        await Task.WhenAll(shards.LiveShards().Keys.Select(async shard =>
        {
            try
            {
                await SendAsync(shard, HttpMethod.Post, $"users/{userId}/forget-home", null, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or MoveFailedException or TaskCanceledException)
            {
                // Best effort by design: the shard's next forward for this user gets a 421, which makes it read again.
            }
        }));
    }

    public void Dispose() => _client.Dispose();

    // The shared-memory index is rebuilt by SQLite from the DB and its WAL; it is never part of a DB's content.
    private static IEnumerable<string> FilesToMove(string directory) =>
        !Directory.Exists(directory) ? [] : Directory.EnumerateFiles(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Where(path => !path.EndsWith("-shm", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private async Task SendAsync(string shard, HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        var address = await shards.LiveAddressAsync(shard, cancellationToken) ?? throw new MoveFailedException($"shard {shard} is not live");
        using var request = new HttpRequestMessage(method, new Uri(address, $"{ShardInternalCalls.PathPrefix}/{path}")) { Content = content };
        ShardInternalCalls.Authorize(request.Headers, _token);
        using var response = await _client.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new MoveFailedException($"shard {shard} refused {method} {path.Split('?')[0]}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }
}

/// <summary>A move could not go on; what was done so far was undone, or is finished by running the move again.</summary>
public sealed class MoveFailedException(string message) : Exception(message);
