using System.Text.RegularExpressions;
using Peregrine.Configuration;
using Peregrine.Sessions;

namespace Peregrine.Api.Operations;

/// <summary>
/// Every user DB of every app under <c>CLOUD_DATA_ROOT</c>, in a stable order (so a re-run walks the same way). Only
/// folders named like the service names them are taken: a canonical user UUID, then an app slug; links are not followed.
/// </summary>
public static partial class UserTrees
{
    public static IEnumerable<UserContext> Databases(PeregrineOptions settings)
    {
        foreach (var userId in UserIds(settings))
        {
            foreach (var user in AppsOf(settings, userId))
            {
                if (File.Exists(user.Database.Path))
                {
                    yield return user;
                }
            }
        }
    }

    public static IEnumerable<string> UserIds(PeregrineOptions settings) =>
        Children(settings.DataRoot).Where(name => DirectusSessionValidator.CanonicalUserId(name) == name);

    /// <summary>The user's app trees (whether or not each has a DB yet).</summary>
    public static IEnumerable<UserContext> AppsOf(PeregrineOptions settings, string userId) =>
        Children(Path.Combine(settings.DataRoot, userId))
            .Where(app => AppSlug().IsMatch(app))
            .Select(app => CloudUserResolver.ForUser(settings, userId, app));

    /// <summary>Size of every regular file under <paramref name="directory"/>, relative paths first.</summary>
    public static IEnumerable<(string RelativePath, long Bytes)> Files(string directory) =>
        !Directory.Exists(directory) ? [] : new DirectoryInfo(directory)
            .EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Select(file => (Path.GetRelativePath(directory, file.FullName), file.Length))
            .OrderBy(file => file.Item1, StringComparer.Ordinal);

    private static IEnumerable<string> Children(string directory) =>
        !Directory.Exists(directory) ? [] : new DirectoryInfo(directory)
            .EnumerateDirectories("*", new EnumerationOptions { AttributesToSkip = FileAttributes.ReparsePoint })
            .Select(child => child.Name)
            .OrderBy(name => name, StringComparer.Ordinal);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex AppSlug();
}
