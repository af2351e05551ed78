using Microsoft.AspNetCore.Http;

namespace Peregrine.Web;

/// <summary>Which of a page's forms a request posted, for the components that must not mistake another form's post for theirs.</summary>
public static class PagePosts
{
    /// <summary>
    /// True when this request is a post of the form named <paramref name="formName"/> (Blazor's <c>_handler</c> field,
    /// <c>[scope]name</c> inside a form mapping scope).
    /// A component that fills its fields from storage on any other request keeps a post elsewhere on the page from
    /// rendering (and a later save from storing) an empty field.
    /// </summary>
    public static bool IsPostOf(this HttpContext context, string formName) =>
        HttpMethods.IsPost(context.Request.Method)
        && context.Request.HasFormContentType
        && context.Request.Form.TryGetValue("_handler", out var handler)
        && (handler.ToString() == formName || handler.ToString().EndsWith("]" + formName, StringComparison.Ordinal));
}
