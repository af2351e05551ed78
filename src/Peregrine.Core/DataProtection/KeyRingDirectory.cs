using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Logging;
using Peregrine.Storage;

namespace Peregrine.DataProtection;

/// <summary>
/// The cloud API's Data Protection key ring: one XML file per key in a folder of the data root, which every replica of
/// the app mounts, so a token one replica issued (antiforgery, cookies) is accepted by the others and after a restart.
/// Files are written beside and renamed into place (never torn for a replica reading at the same time), owner-only.
/// Reading the ring re-wraps keys still wrapped under a previous server secret with the current one, so once every
/// replica has run with the new secret the previous one can be removed without losing the ring.
/// </summary>
public sealed partial class KeyRingDirectory(string directory, ServerKeyRing keys, ILogger<KeyRingDirectory> logger) : IXmlRepository
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string Directory { get; } = directory;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        var elements = new List<XElement>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.xml").Order(StringComparer.Ordinal))
        {
            try
            {
                elements.Add(RewrapIfPrevious(file, XElement.Load(file)));
            }
            catch (Exception e) when (e is XmlException or IOException or UnauthorizedAccessException)
            {
                LogUnreadable(logger, Path.GetFileName(file), e.GetType().Name);
            }
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        var name = SafeName().IsMatch(friendlyName) ? friendlyName : $"key-{Guid.NewGuid()}";
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(Directory, OwnerOnlyDirectory);
        }

        Write(element, Path.Combine(Directory, name + ".xml"), replace: false);
    }

    private XElement RewrapIfPrevious(string file, XElement key)
    {
        var wrapped = key.Descendants(ServerSecretKeyWrap.ElementName).FirstOrDefault();
        var keyId = wrapped is null ? null : ServerSecretKeyWrap.KeyIdOf(wrapped);
        if (wrapped is null || keyId is null || keyId == keys.CurrentId || !keys.PreviousIds.Contains(keyId))
        {
            return key;
        }

        var rewrapped = new XElement(key);
        rewrapped.Descendants(ServerSecretKeyWrap.ElementName).First()
            .ReplaceWith(ServerSecretKeyWrap.Wrap(ServerSecretKeyWrap.Unwrap(wrapped, keys), keys));
        Write(rewrapped, file, replace: true);
        LogRewrapped(logger, Path.GetFileName(file), keyId, keys.CurrentId);
        return rewrapped;
    }

    private void Write(XElement element, string path, bool replace)
    {
        var temporary = Path.Combine(Directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnlyFile;
            }

            using (var stream = new FileStream(temporary, options))
            {
                element.Save(stream);
                stream.Flush(flushToDisk: true);
            }

            if (replace)
            {
                DurableFile.ReplaceWith(temporary, path);
            }
            else if (!DurableFile.TryMoveNew(temporary, path))
            {
                throw new IOException($"Data Protection key file {Path.GetFileName(path)} already exists");
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9-]{1,80}$")]
    private static partial Regex SafeName();

    [LoggerMessage(Level = LogLevel.Information, Message = "Data Protection key {File} re-wrapped from server secret key id {Previous} to {Current}")]
    private static partial void LogRewrapped(ILogger logger, string file, string previous, string current);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Data Protection key file {File} skipped: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string file, string reason);
}
