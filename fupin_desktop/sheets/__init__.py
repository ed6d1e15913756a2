"""Spreadsheet import and export machinery shared by every area (no Qt, no business rules).

The pieces, in the order an import uses them::

    from fupin_desktop.sheets.readers import open_workbook, fill_merged
    from fupin_desktop.sheets.headers import detect_header
    from fupin_desktop.sheets.schema import Field, Schema
    from fupin_desktop.sheets.diff import compare
    from fupin_desktop.sheets.error_report import Issue, write_error_report
    from fupin_desktop.sheets.export import ExportColumn, write_table

    SCHEMA = Schema("assets", [
        Field("asset_no", "资产编号", "digits", aliases=("编号",), required=True),
        Field("name", "资产名称", "text", required=True, max_length=100),
        Field("category", "资产类别", "code", code_list="asset_category"),
        Field("original_value", "原值（元）", "decimal", aliases=("资产原值",)),
        Field("built_year", "建成年度", "year"),
    ])
    with open_workbook(path) as book:            # .xlsx / .xls / .csv (GBK or UTF-8), sniffed
        sheet = book.read(book.sheet_names[0])   # rows of cell values + merged ranges
    header = detect_header(sheet, SCHEMA.knows)  # title rows, 2–3 merged header rows
    mapping = SCHEMA.map_columns(header)         # column → field key; .missing_required
    fill_merged(sheet, first_row=header.data_start)
    conv = SCHEMA.converter()
    values, errors = conv.convert_column("original_value", [row[c] for row in data_rows])
    diff = compare(existing_by_key, incoming_by_key, keys, labels)   # new/changed/unchanged/missing
    write_error_report(sheet, header, [Issue(row, col, "原值应为数字")], "错误报告.xlsx")
    write_table("台账.xlsx", [ExportColumn("资产编号", "digits"), ...], rows)

Every failure a clerk can cause is a ``UserError`` subclass (``SheetReadError``) or a
``CellError`` with a Chinese message; nothing here writes to the database except
``profiles`` (remembered column mappings, model ImportProfile).
"""
