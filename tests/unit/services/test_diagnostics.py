"""Log rotation, scrubbing and the error report zip (services.diagnostics)."""

from __future__ import annotations

import logging
import zipfile

from fupin_desktop.services import diagnostics

ID = "522326199001012157"
PHONE = "13812345678"
BANK = "6217002340001234567"


def test_scrub_masks_ids_phones_and_bank_accounts_in_free_text():
    text = (f"身份证号码{ID}不对；电话 {PHONE}，座机 0859-1234567；账号{BANK}；"
            "户编号 52232600000001 和 3 人保持原样")
    out = diagnostics.scrub(text)
    for secret in (ID, PHONE, BANK, "1234567"):
        assert secret not in out
    assert "522326********2157" in out  # the masking rules of rules.idnumber
    assert "138****5678" in out
    assert "52232600000001" in out and "3 人" in out


def test_log_file_rotates_when_full(tmp_path, monkeypatch):
    monkeypatch.setenv("FUPIN_DATA_DIR", str(tmp_path))
    handler = diagnostics.setup_file_log("fupin_desktop.test_rotation", max_bytes=2000, backups=2)
    logger = logging.getLogger("fupin_desktop.test_rotation")
    try:
        for i in range(200):
            logger.warning("line %d %s", i, "x" * 40)
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert files == ["fupin.log", "fupin.log.1", "fupin.log.2"]  # size-limited, two old files
    assert all((tmp_path / "logs" / f).stat().st_size <= 2000 for f in files)
    assert "line 199" in (tmp_path / "logs" / "fupin.log").read_text(encoding="utf-8")


def test_setup_file_log_attaches_one_handler_only(tmp_path, monkeypatch):
    monkeypatch.setenv("FUPIN_DATA_DIR", str(tmp_path))
    first = diagnostics.setup_file_log("fupin_desktop.test_once")
    try:
        assert diagnostics.setup_file_log("fupin_desktop.test_once") is first
    finally:
        logging.getLogger("fupin_desktop.test_once").removeHandler(first)
        first.close()


def test_error_report_has_the_error_versions_and_log_tail_without_personal_data(tmp_path, monkeypatch):
    monkeypatch.setenv("FUPIN_DATA_DIR", str(tmp_path))
    log = diagnostics.log_file()
    log.write_text("".join(f"2026-12-01 INFO x: 第{i}行 户主证件 {ID} 电话 {PHONE}\n"
                           for i in range(500)), encoding="utf-8")
    out = diagnostics.write_error_report(tmp_path / "报告.zip",
                                         f"Traceback …\nValueError: 证件号码 {ID} 银行账号 {BANK}")
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        texts = {n: zf.read(n).decode("utf-8") for n in names}
    assert names == {"错误信息.txt", "版本.txt", "fupin.log", "日志最后200行.txt"}
    assert "ValueError" in texts["错误信息.txt"]
    assert texts["版本.txt"].startswith("fupin ")
    assert "SQLAlchemy" in texts["版本.txt"]
    tail = texts["日志最后200行.txt"].splitlines()
    assert len(tail) == 200 and "第499行" in tail[-1] and "第300行" in tail[0]
    for text in texts.values():
        for secret in (ID, PHONE, BANK):
            assert secret not in text
    assert not (tmp_path / "报告.zip.part").exists()
