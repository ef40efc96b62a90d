"""The API docs page: every link on it works (the Swagger UI link did not: there is none without a CDN),
and schemas read as tables whose types link to the schema they name, not as a JSON dump (#19 item 7)."""

import re
from html.parser import HTMLParser


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("id"):
            self.ids.add(attrs["id"])


def test_every_link_on_the_docs_page_works(client):
    page = _Page()
    page.feed(client.get("/api/v1/docs").get_data(as_text=True))
    anchors = [href[1:] for href in page.links if href.startswith("#")]
    others = [href for href in page.links if not href.startswith("#")]
    assert anchors and set(anchors) <= page.ids, set(anchors) - page.ids
    assert others == ["/api/v1/openapi.json"]
    assert client.get(others[0]).status_code == 200


def test_schemas_are_tables_with_linked_types_not_json(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert '<section id="schema-MemberStatus">' in html and "<table>" in html
    assert re.search(r'<td><code>coupons</code></td><td>list of <a href="#schema-AvailableCoupon">', html)
    assert '"additionalProperties"' not in html and "&#34;type&#34;" not in html
    assert 'Request body: <a href="#schema-RedeemRequest">' in html
