from fupin_desktop.rules.monitoring import measure_gaps, unanswered_risks


def test_each_risk_needs_a_matching_measure():
    # 因病 01, 因学 03, 因安全住房 09, 因安全饮水 10; 缺劳动力 08 has no measure rule.
    assert unanswered_risks(["01", "03", "09", "10", "08"], []) == ["01", "03", "09", "10"]
    assert unanswered_risks(["01", "03"], ["10", "07"]) == []  # 综合保障, 其他教育帮扶
    assert unanswered_risks(["09"], ["12"]) == []  # 搬迁 answers 因安全住房
    assert unanswered_risks(["10"], ["08"]) == ["10"]  # 住房 does not answer 饮水


def test_gaps_read_in_chinese():
    [line] = measure_gaps(["01"], ["02"])
    assert line == "风险“因病”还没有对应的帮扶措施，应落实健康帮扶、社会帮扶、综合保障中的一项。"
