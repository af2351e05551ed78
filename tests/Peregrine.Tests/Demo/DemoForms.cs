using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Demo;

/// <summary>Posts a form the way a rendered page does: with the demo's antiforgery cookie and request token.</summary>
internal static class DemoForms
{
    public static async Task<HttpResponseMessage> PostAsync(DemoFactory demo, HttpClient client, string path, params (string Name, string Value)[] fields)
    {
        var antiforgery = demo.Services.GetRequiredService<IAntiforgery>();
        var options = demo.Services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value;
        var context = new DefaultHttpContext { RequestServices = demo.Services };
        var tokens = antiforgery.GetAndStoreTokens(context);
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent([.. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)), new(tokens.FormFieldName, tokens.RequestToken!)]),
        };
        request.Headers.Add("Cookie", $"{options.Cookie.Name}={tokens.CookieToken}");
        return await client.SendAsync(request);
    }
}
