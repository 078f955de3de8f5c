"""A custom block tag for the template traps: n1fix cannot tell whether its body renders."""

from django import template

register = template.Library()

RESTOCK_BELOW = 0  # no book has less stock than this: the body never renders


class IfRestockNode(template.Node):
    def __init__(self, book, nodelist):
        self.book = template.Variable(book)
        self.nodelist = nodelist

    def render(self, context):
        if self.book.resolve(context).stock < RESTOCK_BELOW:
            return self.nodelist.render(context)
        return ""


@register.tag
def if_restock(parser, token):
    _, book = token.split_contents()
    nodelist = parser.parse(("endif_restock",))
    parser.delete_first_token()
    return IfRestockNode(book, nodelist)
