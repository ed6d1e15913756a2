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
