from django import forms

from kaifaqu.core.widgets import PlainSelect


def test_plain_select_renders_what_django_select_renders():
    choices = [("", "全部"), ("a", "A&B"), ("b", "<b>"), ("组", [("c", "丙"), ("d", "丁")])]
    for value in ("b", "", None, "d"):
        django_html = forms.Select(choices=choices).render("x", value, {"id": "id_x"})
        plain_html = PlainSelect(choices=choices).render("x", value, {"id": "id_x"})
        assert plain_html == "".join(line.strip() for line in django_html.splitlines())
    assert '<option value="b" selected>&lt;b&gt;</option>' in PlainSelect(choices=choices).render("x", "b")
