"""{% page_cache "name" %}…{% endpage_cache %}: the body between is rendered once per content
version and viewer, and served from the cache after that (see portfolio.core.pagecache)."""

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils.safestring import SafeString, mark_safe

from portfolio.core import pagecache

register = template.Library()


class PageCacheNode(template.Node):
    def __init__(self, nodelist: NodeList, name: FilterExpression) -> None:
        self.nodelist = nodelist
        self.name = name

    def render(self, context: template.Context) -> SafeString:
        request = context.get("request")
        key = pagecache.key_for(request, str(self.name.resolve(context))) if request else None
        body = pagecache.get(key) if key else None
        if body is None:
            body = self.nodelist.render(context)
            if key:
                pagecache.put(key, body)
        # The body is template output, escaped when it was first rendered.
        return mark_safe(body)


@register.tag("page_cache")
def page_cache(parser: Parser, token: Token) -> PageCacheNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError('usage: {% page_cache "name" %}…{% endpage_cache %}')
    nodelist = parser.parse(("endpage_cache",))
    parser.delete_first_token()
    return PageCacheNode(nodelist, parser.compile_filter(bits[1]))
