using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Peregrine.Demo.Sandboxes;

/// <summary>
/// The anonymous visitor's id, in an HttpOnly cookie protected (encrypted and authenticated) with ASP.NET Core Data
/// Protection: an id is 128 random bits nobody is shown, and a cookie that does not unprotect to one is no visitor at
/// all, so a forged or edited cookie can only ever lead to a new sandbox.
/// </summary>
public sealed class VisitorCookie(IDataProtectionProvider protection)
{
    public const string Name = "prgn_demo_sandbox";

    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    private readonly IDataProtector _protector = protection.CreateProtector("Peregrine.Demo.VisitorCookie.v1");

    /// <summary>The visitor id the request proves, or null (no cookie, or one this demo did not issue).</summary>
    public string? Read(HttpRequest request)
    {
        if (!request.Cookies.TryGetValue(Name, out var value) || string.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            var visitorId = _protector.Unprotect(value);
            return IsVisitorId(visitorId) ? visitorId : null;
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return null;
        }
    }

    public void Write(HttpContext context, string visitorId) =>
        context.Response.Cookies.Append(Name, _protector.Protect(visitorId), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            Path = "/",
            MaxAge = Lifetime,
            IsEssential = true,
        });

    public static string NewVisitorId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>32 lower-case hex digits: the only names a sandbox folder can have.</summary>
    public static bool IsVisitorId(string value) => value.Length == 32 && value.All(char.IsAsciiHexDigitLower);
}
