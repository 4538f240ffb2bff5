"""Templates: texts translated at compile time, values escaped, one environment per language."""

from __future__ import annotations

from backend.web.templating import environments


def test_fixed_texts_are_translated_when_the_template_compiles():
    source = '<h1>{{ _("My products") }}</h1><p title="{{ _("Order again") }}">{{ _("100%% sure") }}</p>'
    da = environments["da"]
    assert da.from_string(source).render() == '<h1>Mine produkter</h1><p title="Bestil igen">100% sure</p>'
    assert environments["en"].from_string(source).render().startswith("<h1>My products</h1>")
    # No gettext call is left in the compiled template for a fixed text.
    compiled = da.compile(da.parse('{{ _("My products") }}'), raw=True)
    assert "Mine produkter" in compiled and "gettext" not in compiled and "'_'" not in compiled


def test_texts_with_values_escape_the_values_not_the_translation():
    template = environments["da"].from_string(
        '{{ _("Left this period: %(count)s %(unit)s", count="<b>3</b>", unit="stk.") }}|'
        '{{ ngettext("%(num)s pack", "%(num)s packs", 2) }}|{{ _(name) }}')
    assert template.render(name="My products") == "Tilbage i denne periode: &lt;b&gt;3&lt;/b&gt; stk.|2 pakker|Mine produkter"


def test_an_attribute_named_underscore_is_not_a_translation():
    template = environments["da"].from_string('{{ obj._("My products") }}')
    assert template.render(obj={"_": lambda text: text.upper()}) == "MY PRODUCTS"
