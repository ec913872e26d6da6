"""{% page_cache "name" [scope …] %}…{% endpage_cache %}: the part between is rendered once
per version of what it shows and per kind of viewer, and served from the cache after that
(see portfolio.core.pagecache).

Without scopes the part is keyed on those the view declared (`pagecache.declare`); with
them (rows or scope strings: ``{% page_cache "programme-card" card.programme %}``) it reads
their versions itself, so one write re-renders one card, not the page. A CSRF token inside
is filed as a placeholder and filled with this request's token when served.
"""

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils.safestring import SafeString, mark_safe

from portfolio.core import pagecache

register = template.Library()


class PageCacheNode(template.Node):
    def __init__(
        self, nodelist: NodeList, name: FilterExpression, scopes: list[FilterExpression]
    ) -> None:
        self.nodelist = nodelist
        self.name = name
        self.scopes = scopes

    def _key(self, context: template.Context) -> str | None:
        request = context.get("request")
        if request is None:
            return None
        name = str(self.name.resolve(context))
        if not self.scopes:
            return pagecache.key_for(request, name)
        scopes = [pagecache.scope_of(s.resolve(context)) for s in self.scopes]
        return pagecache.fragment_key(request, name, scopes)

    def render(self, context: template.Context) -> SafeString:
        key, request = self._key(context), context.get("request")

        def render_body() -> str:
            if key is None:
                return self.nodelist.render(context)
            with context.push(csrf_token=pagecache.CSRF_PLACEHOLDER):
                return self.nodelist.render(context)

        if request is None:
            body = render_body()
        elif self.scopes:
            # A fragment reads its versions after the page read its data: it is filed only
            # if nothing the page declared moved meanwhile.
            body = pagecache.cached(
                key, render_body, lambda: pagecache.declared_still_current(request)
            )
        else:
            body = pagecache.cached(key, render_body)
        # The body is template output, escaped when it was first rendered.
        return mark_safe(self._with_token(context, body))

    @staticmethod
    def _with_token(context: template.Context, body: str) -> str:
        token = context.get("csrf_token")
        if token is not None and pagecache.CSRF_PLACEHOLDER in body:
            body = body.replace(pagecache.CSRF_PLACEHOLDER, str(token))
        return body


@register.tag("page_cache")
def page_cache(parser: Parser, token: Token) -> PageCacheNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(
            'usage: {% page_cache "name" [scope …] %}…{% endpage_cache %}'
        )
    nodelist = parser.parse(("endpage_cache",))
    parser.delete_first_token()
    return PageCacheNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]]
    )
