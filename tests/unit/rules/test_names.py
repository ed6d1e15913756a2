from fupin_desktop.rules.names import name_initials


def test_plain_name():
    assert name_initials("张三") == "zs"


def test_every_reading_of_a_heteronym_surname_is_kept():
    for name, wanted in (("单秀英", "sxy"), ("单秀英", "dxy"), ("解放", "xf"), ("解放", "jf")):
        assert wanted in name_initials(name).split()


def test_many_heteronyms_stay_bounded_and_keep_surname_readings():
    variants = name_initials("单乐乐长").split()
    assert len(variants) <= 16
    assert {"sllz", "dllz"} <= set(variants)


def test_blank_and_latin():
    assert name_initials(None) == ""
    assert name_initials("  ") == ""
    assert name_initials("Li雷") == "lil"


def test_sort_key_orders_names_as_a_clerk_expects():
    from fupin_desktop.rules.names import name_sort_key

    names = ["张三", "王五", "汪洋", "单明", "曾凡", "西安", "先进", "吕布", "陆明", "张", "章一", "阿依古丽·买买提"]
    assert sorted(names, key=name_sort_key) == [
        "阿依古丽·买买提",  # a
        "陆明", "吕布",  # lu before lü
        "单明",  # the surname 单 reads shan
        "汪洋", "王五",  # wang1 before wang2
        "西安", "先进",  # xi an before xian: syllable by syllable
        "曾凡",  # the surname 曾 reads zeng
        "张", "张三", "章一",  # one surname's names stay together
    ]
    assert name_sort_key(None) is None and name_sort_key("  ") is None
    assert name_sort_key("张三").isascii() and name_sort_key("𠮷") is not None


def test_sort_key_is_bounded_for_the_column():
    from fupin_desktop.rules.names import SORT_KEY_LENGTH, name_sort_key

    assert len(name_sort_key("很" * 60)) == SORT_KEY_LENGTH
