using Peregrine.Errors;

namespace Peregrine.Web;

public static class PageNotices
{
    /// <summary>What a form's notice says after a service call: the refusal's own words, or what was done.</summary>
    public static (string Message, bool Failed) Notice(this Refusal? refused, string done) =>
        refused is null ? (done, false) : (refused.Detail, true);
}
