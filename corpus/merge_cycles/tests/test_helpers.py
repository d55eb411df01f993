from pkg.utils.helpers import slugify


def test_slugify_limits_the_length():
    assert slugify("A" * 100) == "a" * 60
